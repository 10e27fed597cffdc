// The catalogue bench's baseline, in a process of its own like the hub: a bare Fastify server with
// one route answering the bytes in BODY_FILE, as the hub's GET /api/v1/datasets answered them, with
// the same content type. Prints {"url": ...} on stdout when listening on 127.0.0.1.
import { readFileSync } from 'node:fs';
import Fastify from 'fastify';

const body = readFileSync(process.env.BODY_FILE ?? '');
const contentType = process.env.CONTENT_TYPE ?? 'application/json; charset=utf-8';
const app = Fastify({ logger: false });
app.get('/api/v1/datasets', async (_request, reply) => reply.type(contentType).send(body));
const url = await app.listen({ port: 0, host: '127.0.0.1' });
process.stdout.write(`${JSON.stringify({ url })}\n`);
process.on('SIGTERM', () => {
  app.close().then(() => process.exit(0));
});
