import { Readable } from 'node:stream';
import { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import { describe, expect, it } from 'vitest';
import { CloudFrontTenantCertificates, tenantName } from '../../../handlers/lib/bindings/custom-domain-certificates/cloudfront-tenants.js';

/**
 * The AWS CustomDomainCertificates against the CloudFront API's wire format: a real CloudFrontClient
 * whose HTTP handler records each request (method, path, If-Match, XML body) and answers as
 * CloudFront documents it (REST-XML bodies, ETag headers, `<ErrorResponse>` codes). Only the
 * network is replaced; the SDK serializes and parses as it does against CloudFront.
 */
interface Sent {
  method: string;
  path: string;
  ifMatch?: string;
  body: string;
}
interface Answer {
  status: number;
  body?: string;
  etag?: string;
}

const NS = 'http://cloudfront.amazonaws.com/doc/2020-05-31/';
const tenantXml = (fields: { id: string; name: string; enabled: boolean; status: string }) =>
  `<?xml version="1.0" encoding="UTF-8"?><DistributionTenant xmlns="${NS}"><Id>${fields.id}</Id><DistributionId>EMULTI</DistributionId><Name>${fields.name}</Name><Enabled>${fields.enabled}</Enabled><Status>${fields.status}</Status></DistributionTenant>`;
const errorXml = (code: string) =>
  `<?xml version="1.0" encoding="UTF-8"?><ErrorResponse xmlns="${NS}"><Error><Type>Sender</Type><Code>${code}</Code><Message>${code}</Message></Error><RequestId>r-1</RequestId></ErrorResponse>`;

function cloudFront(answers: Answer[]): { client: CloudFrontClient; sent: Sent[] } {
  const sent: Sent[] = [];
  const client = new CloudFrontClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test-secret' },
    maxAttempts: 1,
    requestHandler: {
      async handle(request: { method: string; path: string; headers: Record<string, string>; body?: unknown }) {
        sent.push({
          method: request.method,
          path: request.path,
          ...(request.headers['if-match'] ? { ifMatch: request.headers['if-match'] } : {}),
          body: typeof request.body === 'string' ? request.body : '',
        });
        const answer = answers.shift();
        if (!answer) throw new Error(`unexpected request ${request.method} ${request.path}`);
        return {
          response: {
            statusCode: answer.status,
            headers: { 'content-type': 'text/xml', ...(answer.etag ? { etag: answer.etag } : {}) },
            body: Readable.from([Buffer.from(answer.body ?? '')]),
          },
        };
      },
    },
  });
  return { client, sent };
}

const config = { distributionId: 'EMULTI', connectionGroupId: 'cg_123', namePrefix: 'slipway', pollMs: 1, sleep: async () => {} };
const NAME = 'slipway-www.shop.example';

describe('CloudFrontTenantCertificates', () => {
  it('names a tenant after the stage and the domain, or a digest where the domain does not fit the name pattern', () => {
    expect(tenantName('slipway', 'www.shop.example')).toBe(NAME);
    expect(tenantName('slipway-dev', 'www.shop.example')).toBe('slipway-dev-www.shop.example');
    const long = `${'a'.repeat(60)}.${'b'.repeat(60)}.example`;
    expect(tenantName('slipway', long)).toMatch(/^slipway-[0-9a-f]{40}$/);
    expect(tenantName('slipway', long)).toBe(tenantName('slipway', long));
    expect(tenantName('slipway', `${long}x`)).not.toBe(tenantName('slipway', long));
  });

  it('adds a tenant of the multi-tenant distribution on its connection group, with a CloudFront-validated managed certificate', async () => {
    const { client, sent } = cloudFront([
      { status: 201, etag: 'E1', body: tenantXml({ id: 'dt_1', name: NAME, enabled: true, status: 'InProgress' }) },
    ]);
    await new CloudFrontTenantCertificates(config, client).add('www.shop.example');
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ method: 'POST', path: '/2020-05-31/distribution-tenant' });
    const body = sent[0]!.body;
    expect(body).toContain('<DistributionId>EMULTI</DistributionId>');
    expect(body).toContain('<ConnectionGroupId>cg_123</ConnectionGroupId>');
    expect(body).toContain(`<Name>${NAME}</Name>`);
    // One domain item (the element name of a list member is the SDK model's).
    expect(body).toMatch(/<Domains><(\w+)><Domain>www\.shop\.example<\/Domain><\/\1><\/Domains>/);
    expect(body).toContain('<Enabled>true</Enabled>');
    expect(body).toContain('<ManagedCertificateRequest><ValidationTokenHost>cloudfront</ValidationTokenHost></ManagedCertificateRequest>');
    // No tags (cloudfront:TagResource is not granted), no certificate of its own.
    expect(body).not.toContain('<Tags>');
    expect(body).not.toContain('<Customizations>');
  });

  it('takes an existing tenant as success, and enables it again when a removal had disabled it', async () => {
    const enabled = cloudFront([
      { status: 409, body: errorXml('EntityAlreadyExists') },
      { status: 200, etag: 'E2', body: tenantXml({ id: 'dt_1', name: NAME, enabled: true, status: 'Deployed' }) },
    ]);
    await new CloudFrontTenantCertificates(config, enabled.client).add('www.shop.example');
    expect(enabled.sent.map((s) => `${s.method} ${s.path}`)).toEqual([
      'POST /2020-05-31/distribution-tenant',
      `GET /2020-05-31/distribution-tenant/${NAME}`,
    ]);

    const disabled = cloudFront([
      { status: 409, body: errorXml('EntityAlreadyExists') },
      { status: 200, etag: 'E3', body: tenantXml({ id: 'dt_1', name: NAME, enabled: false, status: 'Deployed' }) },
      { status: 200, etag: 'E4', body: tenantXml({ id: 'dt_1', name: NAME, enabled: true, status: 'InProgress' }) },
    ]);
    await new CloudFrontTenantCertificates(config, disabled.client).add('www.shop.example');
    expect(disabled.sent[2]).toMatchObject({ method: 'PUT', path: '/2020-05-31/distribution-tenant/dt_1', ifMatch: 'E3' });
    expect(disabled.sent[2]!.body).toContain('<Enabled>true</Enabled>');
  });

  it('fails on any other refusal (another account holds the name), naming it', async () => {
    const { client } = cloudFront([{ status: 409, body: errorXml('CNAMEAlreadyExists') }]);
    await expect(new CloudFrontTenantCertificates(config, client).add('www.shop.example')).rejects.toMatchObject({
      name: 'CNAMEAlreadyExists',
    });
  });

  it('removes a tenant: disables it, waits until that is deployed, deletes it with the latest ETag', async () => {
    const { client, sent } = cloudFront([
      { status: 200, etag: 'E1', body: tenantXml({ id: 'dt_1', name: NAME, enabled: true, status: 'Deployed' }) },
      { status: 200, etag: 'E2', body: tenantXml({ id: 'dt_1', name: NAME, enabled: false, status: 'InProgress' }) },
      { status: 200, etag: 'E2', body: tenantXml({ id: 'dt_1', name: NAME, enabled: false, status: 'InProgress' }) },
      { status: 200, etag: 'E3', body: tenantXml({ id: 'dt_1', name: NAME, enabled: false, status: 'Deployed' }) },
      { status: 204 },
    ]);
    expect(await new CloudFrontTenantCertificates(config, client).remove('www.shop.example')).toBe('removed');
    expect(sent.map((s) => [s.method, s.path, s.ifMatch])).toEqual([
      ['GET', `/2020-05-31/distribution-tenant/${NAME}`, undefined],
      ['PUT', '/2020-05-31/distribution-tenant/dt_1', 'E1'],
      ['GET', `/2020-05-31/distribution-tenant/${NAME}`, undefined],
      ['GET', `/2020-05-31/distribution-tenant/${NAME}`, undefined],
      ['DELETE', '/2020-05-31/distribution-tenant/dt_1', 'E3'],
    ]);
    expect(sent[1]!.body).toContain('<Enabled>false</Enabled>');
  });

  it('says `disabling` when the disabled tenant is not deployed within the wait, and deletes nothing', async () => {
    const inProgress = { status: 200, etag: 'E2', body: tenantXml({ id: 'dt_1', name: NAME, enabled: false, status: 'InProgress' }) };
    const { client, sent } = cloudFront([
      { status: 200, etag: 'E1', body: tenantXml({ id: 'dt_1', name: NAME, enabled: true, status: 'Deployed' }) },
      inProgress,
      inProgress,
      inProgress,
    ]);
    const certificates = new CloudFrontTenantCertificates({ ...config, disableWaitMs: 2, pollMs: 1 }, client);
    expect(await certificates.remove('www.shop.example')).toBe('disabling');
    expect(sent.some((s) => s.method === 'DELETE')).toBe(false);
  });

  it('takes a missing tenant as removed, and a tenant CloudFront will not delete yet as disabling', async () => {
    const missing = cloudFront([{ status: 404, body: errorXml('EntityNotFound') }]);
    expect(await new CloudFrontTenantCertificates(config, missing.client).remove('www.shop.example')).toBe('removed');

    const notYet = cloudFront([
      { status: 200, etag: 'E1', body: tenantXml({ id: 'dt_1', name: NAME, enabled: false, status: 'Deployed' }) },
      { status: 409, body: errorXml('ResourceNotDisabled') },
    ]);
    expect(await new CloudFrontTenantCertificates(config, notYet.client).remove('www.shop.example')).toBe('disabling');
  });

  it("reads the managed certificate's status, none when there is no tenant", async () => {
    const issued = cloudFront([
      {
        status: 200,
        body: `<?xml version="1.0" encoding="UTF-8"?><ManagedCertificateDetails xmlns="${NS}"><CertificateStatus>pending-validation</CertificateStatus><ValidationTokenHost>cloudfront</ValidationTokenHost></ManagedCertificateDetails>`,
      },
    ]);
    expect(await new CloudFrontTenantCertificates(config, issued.client).status('www.shop.example')).toBe('pending-validation');
    expect(issued.sent[0]).toMatchObject({ method: 'GET', path: `/2020-05-31/managed-certificate/${NAME}` });

    const none = cloudFront([{ status: 404, body: errorXml('EntityNotFound') }]);
    expect(await new CloudFrontTenantCertificates(config, none.client).status('www.shop.example')).toBe('none');
  });
});
