import { describe, expect, it } from 'vitest';
import { hashPassword, passwordProblem, verifyPassword } from './password.server';

describe('password hashing', () => {
  it('verifies the right password and rejects others', async () => {
    const h = await hashPassword('Correct1horse');
    expect(h.startsWith('scrypt$')).toBe(true);
    expect(h).not.toContain('Correct1horse');
    expect(await verifyPassword('Correct1horse', h)).toBe(true);
    expect(await verifyPassword('correct1horse', h)).toBe(false);
    expect(await verifyPassword('', h)).toBe(false);
  });

  it('salts every hash', async () => {
    expect(await hashPassword('Same1password')).not.toBe(await hashPassword('Same1password'));
  });

  it('rejects malformed stored hashes without throwing', async () => {
    expect(await verifyPassword('x', 'not-a-hash')).toBe(false);
  });

  it('enforces the policy with Chinese messages', () => {
    expect(passwordProblem('short1')).toBe('密码至少8位');
    expect(passwordProblem('onlyletters')).toBe('密码须同时包含字母和数字');
    expect(passwordProblem('12345678')).toBe('密码须同时包含字母和数字');
    expect(passwordProblem('alice2026x', 'alice')).toBe('密码不能包含用户名');
    expect(passwordProblem('Good1password')).toBeNull();
  });
});
