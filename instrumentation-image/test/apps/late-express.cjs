// A node:http server that requires Express only on its first request (as apps that load a framework or route module
// late do): the preload constructs Express's instrumentation then, and that request already gets Express's spans.
const http = require('node:http');

let handle;
const server = http.createServer((req, res) => {
  if (!handle) {
    const express = require('express');
    const app = express();
    app.get('/api/late/:id', (request, response) => response.json({ id: request.params.id }));
    handle = app;
  }
  handle(req, res);
});
server.listen(0, '127.0.0.1', () => console.log(`listening ${server.address().port}`));
