import { Injectable } from '@nestjs/common';

/**
 * Fault injection for tests. With `skipAfterCommitInvalidation` set, the subscriber behaves as if
 * the process died right after a commit: the outbox row is committed with the data, and nothing
 * invalidates it until a drainer (this instance's loop, or another instance at start) does.
 * Nothing in the application sets it.
 */
@Injectable()
export class OutboxFaults {
  skipAfterCommitInvalidation = false;
}
