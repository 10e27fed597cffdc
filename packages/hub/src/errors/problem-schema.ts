// RFC 9457 problem details as the API documents them (the handler in handler.ts produces them).
import { z } from 'zod';

export const problemSchema = z
  .object({
    type: z.string().describe('/problems/{code}: a stable URI reference per error code'),
    title: z.string().describe("in the client's language (Accept-Language: zh-TW or English)"),
    status: z.number().int(),
    code: z.string().describe('stable, machine-readable; see GET /problems/{code}'),
    detail: z.string().optional(),
    instance: z.string().optional().describe('the request id, to quote when asking for help'),
  })
  .passthrough()
  .meta({ id: 'Problem' });
