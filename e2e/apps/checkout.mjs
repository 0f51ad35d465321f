// The app the full-trace scenario runs in an injected pod: plain Express, no tracing code at all.
import express from 'express';

const app = express();
app.get('/health', (_req, res) => res.json({ ok: true }));
app.get('/orders/:orderId', (req, res) => res.json({ orderId: req.params.orderId }));
app.get('/fail', () => {
  throw new Error('Payment service unavailable');
});
// Loopback unless HOST says otherwise: in a pod (e2e/images/app) it must answer on the pod IP.
const server = app.listen(Number(process.env.PORT ?? 8080), process.env.HOST ?? '127.0.0.1', () => {
  console.log(`checkout listening on ${server.address().port}`);
});
