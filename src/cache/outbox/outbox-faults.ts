import { Injectable } from '@nestjs/common';

/**
 * Fault injection for tests. With `skipAfterCommitInvalidation` set, the subscriber behaves as if
 * the process died right after a commit: the outbox row is committed with the data, and nothing
 * invalidates it until a drainer (this instance's loop, or another instance at start) does.
 * With `crashAfterCommit` set (`TEST_CRASH_AFTER_COMMIT`, refused outside NODE_ENV=test), the
 * process really dies there, with SIGKILL: no shutdown hook, no drain, no answer to the client.
 * Nothing in the application sets either outside tests.
 */
@Injectable()
export class OutboxFaults {
  skipAfterCommitInvalidation = false;
  crashAfterCommit = false;

  /** Called by the subscriber once a write's transaction has committed, before it invalidates. */
  afterCommit(): void {
    if (this.crashAfterCommit) process.kill(process.pid, 'SIGKILL');
  }
}
