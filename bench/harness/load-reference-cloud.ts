type ReferenceCloudModule = typeof import('../../test/peers/reference-cloud/reference-cloud.mjs');

/** The reference cloud is a test peer in plain JavaScript, loaded from the checkout (it is not in dist/). */
export async function loadReferenceCloud(): Promise<ReferenceCloudModule['ReferenceCloud']> {
  const { REPO_ROOT } = await import('./gateway-process.js');
  const url = new URL(`file://${REPO_ROOT}/test/peers/reference-cloud/reference-cloud.mjs`);
  return ((await import(url.href)) as ReferenceCloudModule).ReferenceCloud;
}
