import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { SignJWT, decodeJwt } from 'jose';
import { signTicket, verifyTicket, TicketError } from '../../handlers/lib/ticket.js';

const key = randomBytes(32);
const request = {
  op: 'build-deploy' as const,
  project: 'demo',
  user: 'admin',
  source: 's3://slipway-sources/sources/demo/a.tar.gz',
  destination: 's3://slipway-projects/demo/deployments/d-abc-1234/',
  executionName: 'demo--build-deploy--d-abc-1234',
};

describe('signed ticket', () => {
  it('verifies a valid ticket and returns its claims', async () => {
    const token = await signTicket(request, key);
    const claims = await verifyTicket(token, key, { op: 'build-deploy', project: 'demo' });
    expect(claims).toMatchObject({
      op: 'build-deploy',
      project: 'demo',
      sub: 'admin',
      src: request.source,
      dst: request.destination,
      exe: request.executionName,
    });
    expect(claims.exp - claims.iat).toBe(3600);
  });

  it('refuses a ticket whose payload was changed', async () => {
    const token = await signTicket(request, key);
    const [header, , signature] = token.split('.');
    const forged = Buffer.from(JSON.stringify({ ...decodeJwt(token), project: 'victim' })).toString('base64url');
    await expect(verifyTicket(`${header}.${forged}.${signature}`, key, { op: 'build-deploy' })).rejects.toThrow(/signature is invalid/);
  });

  it('refuses a ticket signed with another key', async () => {
    const token = await signTicket(request, randomBytes(32));
    await expect(verifyTicket(token, key, { op: 'build-deploy' })).rejects.toBeInstanceOf(TicketError);
  });

  it('refuses an expired ticket', async () => {
    const now = Math.floor(Date.now() / 1000);
    const token = await new SignJWT({ op: 'build-deploy', project: 'demo', src: 's', dst: 'd', exe: 'e' })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer('slipway-api')
      .setAudience('slipway-pipeline')
      .setSubject('admin')
      .setIssuedAt(now - 7200)
      .setExpirationTime(now - 3600)
      .sign(key);
    await expect(verifyTicket(token, key, { op: 'build-deploy' })).rejects.toThrow('ticket has expired');
  });

  it('refuses a ticket for another operation or project', async () => {
    const token = await signTicket(request, key);
    await expect(verifyTicket(token, key, { op: 'delete-project' })).rejects.toThrow(
      'ticket is for operation build-deploy, not delete-project',
    );
    await expect(verifyTicket(token, key, { op: 'build-deploy', project: 'other' })).rejects.toThrow(
      'ticket is for project demo, not other',
    );
  });

  it('refuses an unsigned (alg none) or missing ticket', async () => {
    const header = Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url');
    const payload = Buffer.from(JSON.stringify({ op: 'build-deploy', project: 'demo' })).toString('base64url');
    await expect(verifyTicket(`${header}.${payload}.`, key, { op: 'build-deploy' })).rejects.toBeInstanceOf(TicketError);
    await expect(verifyTicket(undefined, key, { op: 'build-deploy' })).rejects.toThrow('ticket is missing');
  });
});
