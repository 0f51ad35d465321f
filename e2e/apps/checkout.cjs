// The same checkout app as checkout.mjs, as CommonJS: the preload must trace `require`d Express as well as imported.
'use strict';
const express = require('express');

const app = express();
app.get('/health', (_req, res) => res.json({ ok: true }));
app.get('/orders/:orderId', (req, res) => res.json({ orderId: req.params.orderId }));
app.get('/fail', () => {
  throw new Error('Payment service unavailable');
});
const server = app.listen(Number(process.env.PORT ?? 8080), process.env.HOST ?? '127.0.0.1', () => {
  console.log(`checkout listening on ${server.address().port}`);
});
