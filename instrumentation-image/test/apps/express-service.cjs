// Express 5 as services use it (bench:preload's realistic app, and the middleware-spans test): JSON body parsing
// and a middleware of the app's own in front of a route that calls another service (DOWNSTREAM_URL) over a
// keep-alive agent, then answers JSON.
const http = require('node:http');
const express = require('express');

const downstream = new URL(process.env.DOWNSTREAM_URL);
const agent = new http.Agent({ keepAlive: true });

function callDownstream(path) {
  return new Promise((resolve, reject) => {
    http.get({ host: downstream.hostname, port: downstream.port, path, agent }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve(body));
    }).on('error', reject);
  });
}

const app = express();
app.use(express.json());
app.use((_req, res, next) => {
  res.setHeader('x-served-by', 'express-service');
  next();
});
app.get('/api/items/:id', (req, res, next) => {
  callDownstream(`/downstream/${encodeURIComponent(req.params.id)}`).then((body) => res.json({ id: req.params.id, downstreamBytes: body.length }), next);
});
const server = app.listen(0, '127.0.0.1', () => console.log(`listening ${server.address().port}`));
