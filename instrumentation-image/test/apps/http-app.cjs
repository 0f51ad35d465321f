// Plain node:http app: a health check, an API route, an outgoing HTTP call and an S3 call to DOWNSTREAM_URL.
const http = require('node:http');
const { S3Client, ListObjectsV2Command } = require('@aws-sdk/client-s3');

const downstream = process.env.DOWNSTREAM_URL;
const s3 = new S3Client({
  endpoint: downstream,
  region: 'us-east-1',
  forcePathStyle: true,
  credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  maxAttempts: 1,
});

function callDownstream(path) {
  return new Promise((resolve, reject) => {
    http.get(`${downstream}${path}`, (res) => {
      let body = '';
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve(body));
    }).on('error', reject);
  });
}

const server = http.createServer((req, res) => {
  const reply = (status, body) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  if (req.url.startsWith('/health')) return reply(200, { ok: true });
  if (req.url.startsWith('/api/items')) return reply(200, { items: [1, 2, 3] });
  if (req.url === '/api/call') {
    return callDownstream('/downstream').then((body) => reply(200, JSON.parse(body)), (error) => reply(502, { error: error.message }));
  }
  if (req.url === '/api/s3') {
    return s3.send(new ListObjectsV2Command({ Bucket: 'orders' })).then(
      (out) => reply(200, { keys: (out.Contents ?? []).map((c) => c.Key) }),
      (error) => reply(502, { error: error.message }),
    );
  }
  return reply(404, { error: 'not found' });
});

if (process.env.APP_SIGTERM === 'graceful') {
  process.on('SIGTERM', () => {
    console.log('graceful shutdown');
    server.close();
  });
}

server.listen(0, '127.0.0.1', () => console.log(`listening ${server.address().port}`));
