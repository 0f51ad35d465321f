// The benchmark's hello-world HTTP app.
const http = require('node:http');

const server = http.createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('hello'));
server.listen(0, '127.0.0.1', () => console.log(`listening ${server.address().port}`));
