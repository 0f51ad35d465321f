// A local HTTP server standing in for another service (and for S3): it records the headers it receives.
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Downstream {
  readonly url: string;
  readonly requests: { url: string; headers: IncomingHttpHeaders }[];
  close(): Promise<void>;
}

export async function startDownstream(): Promise<Downstream> {
  const requests: { url: string; headers: IncomingHttpHeaders }[] = [];
  const server = createServer((req, res) => {
    requests.push({ url: req.url ?? '', headers: req.headers });
    if (req.url?.startsWith('/orders')) {
      // An empty S3 ListObjectsV2 result.
      res.writeHead(200, { 'content-type': 'application/xml' }).end(
        '<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>orders</Name><KeyCount>0</KeyCount><IsTruncated>false</IsTruncated></ListBucketResult>',
      );
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ headers: req.headers }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
