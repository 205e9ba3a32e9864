import { describe, expect, it } from 'vitest';
import { parseEnv } from './env.server';

describe('environment validation', () => {
  it('applies defaults', () => {
    const e = parseEnv({});
    expect(e.PORT).toBe(3000);
    expect(e.DATABASE_URL).toBeUndefined();
    expect(e.DEMO_MODE).toBe(true);
  });

  it('names the bad variable', () => {
    expect(() => parseEnv({ PORT: 'abc' })).toThrow(/PORT/);
    expect(() => parseEnv({ DATABASE_URL: 'mysql://x@y/z' })).toThrow(/DATABASE_URL: must be a postgresql/);
    expect(() => parseEnv({ SESSION_SECRET: 'short' })).toThrow(/SESSION_SECRET/);
  });

  it('accepts a PostgreSQL URL', () => {
    expect(parseEnv({ DATABASE_URL: 'postgresql://postgres@127.0.0.1:5432/test' }).DATABASE_URL).toContain('127.0.0.1');
  });
});
