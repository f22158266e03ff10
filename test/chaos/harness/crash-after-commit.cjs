// A fault played from outside the application: preloaded into an API process of a chaos scenario
// (`node --require <this file> dist/main.js`), it makes the process kill itself with SIGKILL at
// the one step between a write's commit and its invalidation
// (`InvalidationSubscriber.invalidateCommitted`): no shutdown hook, no drain, no answer to the
// client. The application itself has no switch for this.
'use strict';
const path = require('node:path');

const subscriberFile = path.join(
  path.dirname(path.resolve(process.argv[1])),
  'cache/invalidation.subscriber.js',
);

// After the main module's synchronous requires, so the class patched is the one Nest builds.
setImmediate(() => {
  const { InvalidationSubscriber } = require(subscriberFile);
  InvalidationSubscriber.prototype.invalidateCommitted = function crashAfterCommit() {
    process.kill(process.pid, 'SIGKILL');
    return new Promise(() => {});
  };
});
