// An app that cannot live with the Node.js preload: it exits at start when the preload was `--require`d (it is then in
// require's cache), and otherwise serves like checkout. Its injected pods crash-loop; the operator's crash-loop
// rollback must bring it back uninstrumented and up (real-node-rollouts.test.ts).
'use strict';
const http = require('node:http');

// Where the injection mounts the preload (core/src/constants.ts, PRELOAD_PATH): this image holds no operator code.
const PRELOAD_DIR = '/xray-operator/nodejs/';

if (Object.keys(require.cache).some((path) => path.startsWith(PRELOAD_DIR))) {
  console.error(`preload-intolerant: refusing to start with the preload from ${PRELOAD_DIR} loaded`);
  process.exit(1);
}

const server = http.createServer((req, res) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ ok: true, path: req.url }));
});
server.listen(Number(process.env.PORT ?? 8080), process.env.HOST ?? '127.0.0.1', () => {
  console.log(`preload-intolerant listening on ${server.address().port}`);
});
