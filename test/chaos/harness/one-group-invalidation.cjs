// A fault played from outside the application, for the control run of the Redis Cluster
// consistency test: preloaded into an API process (`node --require <this file> dist/main.js`),
// it makes every tag invalidation run in the first shard group only, as a layout that sent it
// to one group instead of all would. Entries of the other groups then outlive the writes that
// changed them, which the consistency checker must report. The application has no switch for it.
'use strict';
const path = require('node:path');

const storeFile = path.join(path.dirname(path.resolve(process.argv[1])), 'cache/redis-cache.store.js');

// After the main module's synchronous requires, so the class patched is the one Nest builds.
setImmediate(() => {
  const { RedisCacheStore } = require(storeFile);
  RedisCacheStore.prototype.invalidateTags = function firstGroupOnly(tags) {
    return this.indexes[0].invalidateTags(tags);
  };
});
