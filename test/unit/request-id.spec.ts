import { IncomingMessage } from 'node:http';
import { freshRequestId, generateRequestId } from '../../src/common/http/request-id';

const UUID_V4_LAYOUT = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const requestWith = (headers: Record<string, string>) => ({ headers }) as unknown as IncomingMessage;

describe('request ids', () => {
  it('hands out ids in the UUID v4 layout, all different', () => {
    const ids = Array.from({ length: 10_000 }, () => freshRequestId());
    for (const id of ids.slice(0, 50)) expect(id).toMatch(UUID_V4_LAYOUT);
    expect(ids[ids.length - 1]).toMatch(UUID_V4_LAYOUT);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("keeps a caller's well-formed X-Request-Id and replaces anything else", () => {
    expect(generateRequestId(requestWith({ 'x-request-id': 'trace-me-42' }))).toBe('trace-me-42');
    expect(generateRequestId(requestWith({ 'x-request-id': 'bad id\nwith newline' }))).toMatch(
      UUID_V4_LAYOUT,
    );
    expect(generateRequestId(requestWith({ 'x-request-id': 'x'.repeat(65) }))).toMatch(UUID_V4_LAYOUT);
    expect(generateRequestId(requestWith({}))).toMatch(UUID_V4_LAYOUT);
  });
});
