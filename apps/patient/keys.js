// The patient's key: from a browser wallet extension (polkadot{.js} and compatible), or a
// development key kept in this browser encrypted with a password (the keyring's encrypted
// JSON export: scrypt and xsalsa20-poly1305).
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';

const STORE = 'healthchain.patient.key';

/** The saved encrypted key, if any. */
export const savedKey = () => {
  const raw = localStorage.getItem(STORE);
  return raw ? JSON.parse(raw) : null;
};

/** Forgets the saved key. */
export const forgetKey = () => localStorage.removeItem(STORE);

async function keyring(ss58Format) {
  await cryptoWaitReady();
  return new Keyring({ type: 'sr25519', ss58Format });
}

/** Derives a key from `secret` (a phrase, a 0x seed or a development URI such as `//Two`),
 * saves it encrypted with `password`, and answers `{ account, signer: null }` unlocked. */
export async function saveKey(secret, password, ss58Format) {
  const ring = await keyring(ss58Format);
  const pair = ring.addFromUri(secret.trim());
  localStorage.setItem(STORE, JSON.stringify(pair.toJson(password)));
  return { account: pair, address: pair.address, signer: null };
}

/** Unlocks the saved key with `password`; throws if it does not decrypt. */
export async function unlockKey(password, ss58Format) {
  const ring = await keyring(ss58Format);
  const pair = ring.addFromJson(savedKey());
  pair.decodePkcs8(password);
  return { account: pair, address: pair.address, signer: null };
}

/** The accounts a wallet extension shares with this page (an empty list when none answers). */
export async function extensionAccounts() {
  const { web3Enable, web3Accounts } = await import('@polkadot/extension-dapp');
  const extensions = await web3Enable('HealthChain patient app');
  if (extensions.length === 0) return [];
  return web3Accounts();
}

/** Signs with the extension's account `address`. */
export async function extensionKey(address) {
  const { web3FromAddress } = await import('@polkadot/extension-dapp');
  const injector = await web3FromAddress(address);
  return { account: address, address, signer: injector.signer };
}
