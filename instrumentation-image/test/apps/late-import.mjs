// An ES module app that imports node:dns only when /dns is first asked for: the preload constructs the dns
// instrumentation from the ESM hook (no CommonJS require of dns happens), and that lookup already gets its span.
import http from 'node:http';

const server = http.createServer((req, res) => {
  if (req.url !== '/dns') return res.writeHead(404).end();
  import('node:dns').then((dns) => {
    dns.lookup('localhost', (error, address) => {
      res.writeHead(error ? 500 : 200, { 'content-type': 'application/json' }).end(JSON.stringify({ address, error: error?.message }));
    });
  });
});
server.listen(0, '127.0.0.1', () => console.log(`listening ${server.address().port}`));
