// An HTTP server that accepts every request and never answers: what a wedged API server or a black-holed AWS
// endpoint looks like to a client.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SilentServer {
  url: string;
  /** Requests received so far. */
  requests(): number;
  close(): Promise<void>;
}

export async function startSilentServer(): Promise<SilentServer> {
  let requests = 0;
  const server = http.createServer(() => {
    requests++;
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests: () => requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
