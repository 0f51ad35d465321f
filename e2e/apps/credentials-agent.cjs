// Stands in for the EKS Pod Identity agent in the real-node scenarios: serves fixed test credentials on the pod's
// loopback in the container credentials format. The app container names it in AWS_CONTAINER_CREDENTIALS_FULL_URI,
// as EKS does, and the webhook copies that to the collector sidecar, whose X-Ray exporter signs with them (the
// X-Ray emulator checks no signature). Run as a second container of the pod.
'use strict';
const http = require('node:http');

const credentials = JSON.stringify({
  AccessKeyId: 'testing',
  SecretAccessKey: 'testing',
  Token: 'testing',
  Expiration: new Date(Date.now() + 24 * 3600 * 1000).toISOString(),
});
const server = http.createServer((_req, res) => {
  res.setHeader('content-type', 'application/json');
  res.end(credentials);
});
server.listen(Number(process.env.CREDENTIALS_PORT ?? 8099), '127.0.0.1', () => {
  console.log(`credentials agent listening on ${server.address().port}`);
});
