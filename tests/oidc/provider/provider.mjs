// A real OpenID provider for the tests: the certified `oidc-provider` package on loopback.
//
//   node provider.mjs        (listens on a free loopback port; prints "listening <issuer>")
//
// What the package does not decide is set here, as a city's identity provider would have it:
// people (login, password, claims) that the tests add through /test/accounts; a sign-in page
// that checks the password; no consent screen for the (first-party) service; claims in the ID
// token, as Entra ID sends them; PKCE required; RP-initiated logout with a confirmation page;
// dynamic client registration (RFC 7591), so each test registers the redirect URIs it uses.
// Pages use no outside resources (the package's own load a web font).
//
// Test-only controls, under /test/ (nothing else in this file differs from a real provider):
//   POST /test/accounts {login, password, claims}   a person who can sign in
//   POST /test/tamper   {mode}                      the next token response's ID token is
//        altered: bad_signature, wrong_audience, wrong_issuer, expired, replay (the previous
//        ID token again), alg_none -- what an attacker or a broken provider would send.
//   GET  /test/sessions/<login>                     whether the person has a provider session

import { createServer } from 'node:http';
import { randomBytes } from 'node:crypto';

import * as jose from 'jose';
import Provider from 'oidc-provider';

// The port is the system's choice, known once the server listens; the issuer names it.
const server = createServer();
await new Promise((resolve) => { server.listen(0, '127.0.0.1', resolve); });
const issuer = `http://127.0.0.1:${server.address().port}`;
const accounts = new Map(); // login -> { password, claims }
const sessions = new Map(); // accountId -> number of open provider sessions
let tamperMode = null;
let previousIdToken = null;

const { privateKey } = await jose.generateKeyPair('RS256', { extractable: true });
const signingJwk = { ...(await jose.exportJWK(privateKey)), kid: 'test-key-1', alg: 'RS256', use: 'sig' };

const html = (title, body) => `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>${title}</title></head>
<body><main><h1>${title}</h1>${body}</main></body></html>`;

const escape = (value) => String(value ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const configuration = {
  jwks: { keys: [signingJwk] },
  cookies: { keys: [randomBytes(32).toString('hex')] },
  // Claims of every person are released with `openid`, as Entra ID puts roles and groups in
  // every ID token; `email` and `profile` as usual.
  claims: {
    openid: ['sub', 'groups', 'roles', 'urn:mpass.id:uid', 'urn:mpass.id:schoolCode', 'urn:mpass.id:role'],
    email: ['email', 'email_verified'],
    profile: ['name', 'given_name', 'family_name'],
  },
  conformIdTokenClaims: false,
  pkce: { required: () => true },
  features: {
    devInteractions: { enabled: false },
    registration: { enabled: true },
    rpInitiatedLogout: {
      enabled: true,
      logoutSource: async (ctx, form) => {
        ctx.body = html('Sign out', `${form}<p>Do you want to sign out of the city account?</p>
<button type="submit" form="op.logoutForm" value="yes" name="logout">Yes, sign me out</button>
<button type="submit" form="op.logoutForm">No, stay signed in</button>`);
      },
      postLogoutSuccessSource: async (ctx) => {
        ctx.body = html('Signed out', '<p>You have signed out of the city account.</p>');
      },
    },
  },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  // The service is the city's own: no consent screen (an Entra ID admin consents once).
  loadExistingGrant: async (ctx) => {
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope(ctx.oidc.params.scope);
    await grant.save();
    return grant;
  },
  findAccount: async (ctx, id) => {
    const account = accounts.get(id);
    if (!account) return undefined;
    return { accountId: id, claims: async () => ({ sub: id, ...account.claims }) };
  },
  renderError: async (ctx, out) => {
    ctx.type = 'html';
    ctx.body = html('Error', `<pre>${escape(JSON.stringify(out))}</pre>`);
  },
};

const provider = new Provider(issuer, configuration);

provider.on('session.saved', (session) => {
  if (session.accountId) sessions.set(session.accountId, true);
});
provider.on('session.destroyed', (session) => {
  if (session.accountId) sessions.set(session.accountId, false);
});

async function readForm(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

async function readJson(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
}

function loginPage(uid, message = '') {
  return html('Sign in to the city account', `${message ? `<p role="alert">${escape(message)}</p>` : ''}
<form method="post" action="/interaction/${uid}/login">
  <p><label for="login">User name</label> <input id="login" name="login" autocomplete="username" required></p>
  <p><label for="password">Password</label> <input id="password" name="password" type="password" autocomplete="current-password" required></p>
  <p><button type="submit">Sign in</button></p>
</form>`);
}

async function signJwt(payload, header) {
  return new jose.SignJWT(payload).setProtectedHeader(header).sign(privateKey);
}

async function tampered(idToken, mode) {
  const header = jose.decodeProtectedHeader(idToken);
  const payload = jose.decodeJwt(idToken);
  const now = Math.floor(Date.now() / 1000);
  switch (mode) {
    case 'bad_signature': {
      const [h, p, s] = idToken.split('.');
      const flipped = s[10] === 'A' ? 'B' : 'A';
      return `${h}.${p}.${s.slice(0, 10)}${flipped}${s.slice(11)}`;
    }
    case 'wrong_audience':
      return signJwt({ ...payload, aud: 'another-service' }, header);
    case 'wrong_issuer':
      return signJwt({ ...payload, iss: 'http://127.0.0.1:9/' }, header);
    case 'expired':
      return signJwt({ ...payload, iat: now - 7200, exp: now - 3600 }, header);
    case 'alg_none': {
      const encode = (obj) => Buffer.from(JSON.stringify(obj)).toString('base64url');
      return `${encode({ alg: 'none', typ: 'JWT' })}.${encode(payload)}.`;
    }
    case 'replay':
      return previousIdToken ?? idToken;
    default:
      throw new Error(`unknown tamper mode ${mode}`);
  }
}

provider.use(async (ctx, next) => {
  const { path, method } = ctx;
  if (path === '/test/accounts' && method === 'POST') {
    const { login, password, claims } = await readJson(ctx.req);
    accounts.set(login, { password, claims: claims ?? {} });
    ctx.status = 204;
    return;
  }
  if (path === '/test/tamper' && method === 'POST') {
    tamperMode = (await readJson(ctx.req)).mode ?? null;
    ctx.status = 204;
    return;
  }
  if (path.startsWith('/test/sessions/') && method === 'GET') {
    ctx.body = { signedIn: sessions.get(decodeURIComponent(path.slice(15))) === true };
    return;
  }
  const interaction = path.match(/^\/interaction\/([^/]+)(\/login)?$/);
  if (interaction) {
    const details = await provider.interactionDetails(ctx.req, ctx.res);
    ctx.set('Cache-Control', 'no-store');
    if (!interaction[2] && method === 'GET') {
      ctx.type = 'html';
      ctx.body = loginPage(details.uid);
      return;
    }
    if (interaction[2] && method === 'POST') {
      const form = await readForm(ctx.req);
      const login = form.get('login');
      const account = accounts.get(login);
      if (!account || account.password !== form.get('password')) {
        ctx.status = 401;
        ctx.type = 'html';
        ctx.body = loginPage(details.uid, 'Wrong user name or password.');
        return;
      }
      await provider.interactionFinished(ctx.req, ctx.res, { login: { accountId: login } }, {
        mergeWithLastSubmission: false,
      });
      return;
    }
  }
  await next();
  if (path === '/token' && ctx.status === 200 && ctx.body?.id_token) {
    const original = ctx.body.id_token;
    if (tamperMode) {
      ctx.body = { ...ctx.body, id_token: await tampered(original, tamperMode) };
      tamperMode = null;
    }
    previousIdToken = original;
  }
});

server.on('request', provider.callback());
process.stdout.write(`listening ${issuer}\n`);

const stop = () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
// The test process holds our standard input: when it ends (even by a crash), so do we.
process.stdin.on('end', stop);
process.stdin.resume();
