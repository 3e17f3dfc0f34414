/**
 * Access with CLIPDEX_ADMIN_TOKEN set (a second server, see playwright.config.ts): searching stays
 * open; upload, delete and re-index need the sign-in cookie or a bearer token.
 */
import { expect, test } from '@playwright/test';
import { AUTH_PORT, AUTH_TOKEN } from '../playwright.config';

const base = `http://127.0.0.1:${AUTH_PORT}`;
test.use({ baseURL: base });

test('search stays open; changes need the token; the sign-in form sets an httpOnly cookie', async ({ page, request, context }) => {
  expect((await request.get('/api/search?q=cat')).status()).toBe(200);

  const denied = await request.post('/api/reindex');
  expect(denied.status()).toBe(401);
  expect((await denied.json()).error.code).toBe('UNAUTHORIZED');
  const wrong = await request.post('/api/reindex', { headers: { authorization: 'Bearer not-the-token' } });
  expect(wrong.status()).toBe(401);
  const allowed = await request.post('/api/reindex', { headers: { authorization: `Bearer ${AUTH_TOKEN}` } });
  expect(allowed.status()).toBe(202);

  await page.goto('/datasets/new');
  await expect(page.getByText('Uploading needs the admin token')).toBeVisible();
  await expect(page.getByLabel('Corpus file')).toHaveCount(0);

  await page.getByRole('main').getByRole('link', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/signin\?next=/);
  await page.getByLabel('Admin token').fill('wrong-token-value');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('main').getByRole('alert')).toContainText('That token is not right');
  await page.screenshot({ path: 'e2e/artifacts/screens/signin.png', fullPage: true });

  await page.getByLabel('Admin token').fill(AUTH_TOKEN);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/datasets\/new$/);
  await expect(page.getByLabel('Corpus file')).toBeVisible();
  await expect(page.getByText('Signed in as admin')).toBeVisible();
  const cookie = (await context.cookies()).find((c) => c.name === 'clipdex_admin');
  expect(cookie?.httpOnly).toBe(true);
  expect(cookie?.value).not.toContain(AUTH_TOKEN);

  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByRole('banner').getByRole('link', { name: 'Sign in' })).toBeVisible();
  expect((await context.cookies()).find((c) => c.name === 'clipdex_admin')).toBeUndefined();
  await page.goto('/admin');
  await expect(page.getByRole('button', { name: 'Re-index' })).toHaveCount(0);
});
