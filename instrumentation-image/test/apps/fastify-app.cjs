// Fastify (CommonJS).
const fastify = require('fastify')();

fastify.get('/health', async () => ({ ok: true }));
fastify.get('/api/items/:id', async (request) => ({ id: request.params.id }));
fastify.listen({ port: 0, host: '127.0.0.1' }).then(() => console.log(`listening ${fastify.server.address().port}`));
