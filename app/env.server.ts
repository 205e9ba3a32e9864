// Environment checked once at start-up: bad configuration stops the process with a message that
// names the variable. Only values listed in publicEnv() ever reach the browser.
import path from 'node:path';
import { z } from 'zod';

const schema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('0.0.0.0'),
  DATABASE_URL: z
    .string()
    .url()
    .refine((u) => /^postgres(ql)?:\/\//.test(u), 'must be a postgresql:// URL')
    .optional(),
  DATA_DIR: z.string().default(path.resolve('data')),
  SESSION_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  SESSION_TTL_HOURS: z.coerce.number().positive().max(24 * 30).default(8),
  BODY_LIMIT_BYTES: z.coerce.number().int().positive().default(1024 * 1024),
  LOGIN_MAX_ATTEMPTS_PER_ACCOUNT: z.coerce.number().int().positive().default(5),
  LOGIN_MAX_ATTEMPTS_PER_IP: z.coerce.number().int().positive().default(30),
  LOGIN_WINDOW_MINUTES: z.coerce.number().positive().default(15),
  SMTP_URL: z.string().url().optional(),
  MAIL_FROM: z.string().default('公共资源交易平台 <noreply@ggzy.local>'),
  PUBLIC_BASE_URL: z.string().url().default('http://localhost:3000'),
  DEMO_MODE: z
    .enum(['true', 'false', '1', '0'])
    .default('true')
    .transform((v) => v === 'true' || v === '1'),
  TRUST_PROXY: z
    .enum(['true', 'false', '1', '0'])
    .default('false')
    .transform((v) => v === 'true' || v === '1'),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
  // Payments (Alipay). Without ALIPAY_GATEWAY_URL, demo mode runs the local gateway in-process.
  // Keys are secrets: read from env or files, never logged, never sent to the browser.
  ALIPAY_APP_ID: z.string().regex(/^\d{16}$/, 'must be the 16-digit Alipay app id').optional(),
  ALIPAY_PRIVATE_KEY: z.string().min(100, 'must be the application private key (PEM or base64)').optional(),
  ALIPAY_PRIVATE_KEY_FILE: z.string().optional(),
  ALIPAY_PUBLIC_KEY: z.string().min(100, "must be Alipay's public key (PEM or base64)").optional(),
  ALIPAY_PUBLIC_KEY_FILE: z.string().optional(),
  ALIPAY_GATEWAY_URL: z.string().url().optional(),
  ALIPAY_SELLER_ID: z.string().regex(/^2088\d{12}$/, 'must be the merchant PID (2088 + 12 digits)').optional(),
  ALIPAY_GATEWAY_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  PAYMENT_ORDER_TIMEOUT_MINUTES: z.coerce.number().int().min(5).max(60 * 24 * 15).default(120),
  /** Annual interest paid on returned bid deposits (0.0035 = 0.35 %); 0 = none. */
  DEPOSIT_INTEREST_RATE: z.coerce.number().min(0).max(0.2).default(0),
});

export type Env = z.infer<typeof schema>;

let cached: Env | undefined;

export class EnvError extends Error {}

export function parseEnv(source: Record<string, string | undefined>): Env {
  // An empty variable means "not set" (shells and CI templates often export VAR=).
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== ''));
  const result = schema.safeParse(cleaned);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new EnvError(`Invalid environment configuration:\n  ${lines.join('\n  ')}`);
  }
  return result.data;
}

export function env(): Env {
  cached ??= parseEnv(process.env);
  return cached;
}

/** For tests that change process.env between cases. */
export function resetEnvCache() {
  cached = undefined;
}

/** The only configuration the browser sees. */
export function publicEnv() {
  const e = env();
  return { DEMO_MODE: e.DEMO_MODE, PUBLIC_BASE_URL: e.PUBLIC_BASE_URL };
}
