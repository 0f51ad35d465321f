// Express as an ES module app: framework spans need the ESM loader hook.
import express from 'express';

const app = express();
app.get('/health', (_req, res) => res.json({ ok: true }));
app.get('/api/orders/:orderId', (req, res) => res.json({ orderId: req.params.orderId }));
const server = app.listen(0, '127.0.0.1', () => console.log(`listening ${server.address().port}`));
