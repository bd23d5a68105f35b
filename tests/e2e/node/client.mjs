// The official Kubernetes JavaScript client (@kubernetes/client-node) against
// kjobd: create a Job, watch it to completion, read its pod's logs, delete it
// and see DELETED on the watch; evict a running pod; delete a Job with
// deletecollection. Prints TAP lines (no plan); exits 1 on failure.
// usage: node client.mjs SERVER NAMESPACE
import * as k8s from '@kubernetes/client-node';

const [server, namespace] = process.argv.slice(2);
const kc = new k8s.KubeConfig();
kc.loadFromOptions({
  // client-node refuses plain http unless skipTLSVerify is set (it has no
  // TLS to verify on http:// anyway).
  clusters: [{ name: 'kjob', server, skipTLSVerify: server.startsWith('http:') }],
  users: [{ name: 'kjob' }],
  contexts: [{ name: 'kjob', cluster: 'kjob', user: 'kjob', namespace }],
  currentContext: 'kjob',
});
const batch = kc.makeApiClient(k8s.BatchV1Api);
const core = kc.makeApiClient(k8s.CoreV1Api);
let n = 0, failed = 0;
const tap = (ok, desc, diag) => {
  n++;
  if (!ok) failed++;
  console.log(`${ok ? 'ok' : 'not ok'} ${n} - ${desc}`);
  if (!ok && diag !== undefined) console.log(`#   ${String(diag).split('\n').join('\n#   ')}`);
};

// Resolve on the first watch event that satisfies pred; reject after ms.
function watchUntil(path, query, pred, ms) {
  return new Promise((resolve, reject) => {
    let req;
    const timer = setTimeout(() => { req?.abort(); reject(new Error(`no matching event in ${ms} ms`)); }, ms);
    new k8s.Watch(kc).watch(path, query, (type, obj) => {
      if (pred(type, obj)) { clearTimeout(timer); req?.abort(); resolve({ type, obj }); }
    }, (err) => { if (err && err.name !== 'AbortError') { clearTimeout(timer); reject(err); } })
      .then((r) => { req = r; }, reject);
  });
}

const name = 'nodeclient';
const body = {
  apiVersion: 'batch/v1', kind: 'Job',
  metadata: { name, labels: { client: 'node' } },
  spec: { template: { spec: { restartPolicy: 'Never', containers: [
    { name: 'c', image: 'kjob/busybox', command: ['sh', '-c', 'echo hello from node'] }] } } },
};
const jobsPath = `/apis/batch/v1/namespaces/${namespace}/jobs`;
try {
  const created = await batch.createNamespacedJob({ namespace, body });
  tap(created.metadata?.uid && created.kind === 'Job', 'createNamespacedJob', JSON.stringify(created));
  const done = await watchUntil(jobsPath, { fieldSelector: `metadata.name=${name}`, resourceVersion: created.metadata.resourceVersion },
    (type, o) => (o.status?.conditions ?? []).some((c) => c.type === 'Complete' && c.status === 'True'), 60000);
  tap(done.obj.status.succeeded === 1, 'Watch sees the Job complete', JSON.stringify(done.obj.status));
  const jobs = await batch.listNamespacedJob({ namespace, labelSelector: 'client=node' });
  tap(jobs.items.length === 1 && jobs.items[0].metadata.name === name, 'listNamespacedJob with a label selector', JSON.stringify(jobs.items.map((j) => j.metadata.name)));
  const pods = await core.listNamespacedPod({ namespace, labelSelector: `job-name=${name}` });
  tap(pods.items.length === 1 && pods.items[0].status.phase === 'Succeeded', 'listNamespacedPod by job-name', JSON.stringify(pods.items.map((p) => p.status?.phase)));
  const log = await core.readNamespacedPodLog({ name: pods.items[0].metadata.name, namespace });
  tap(log === 'hello from node\n', 'readNamespacedPodLog', JSON.stringify(log));
  const patched = await batch.patchNamespacedJob({ name, namespace, body: { metadata: { labels: { patched: 'yes' } } } },
    k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch));
  tap(patched.metadata.labels.patched === 'yes', 'patchNamespacedJob (merge patch)', JSON.stringify(patched.metadata.labels));
  const deleted = watchUntil(jobsPath, { resourceVersion: patched.metadata.resourceVersion }, (type, o) => type === 'DELETED' && o.metadata.name === name, 30000);
  await new Promise((r) => setTimeout(r, 200)); // let the watch connect first
  await batch.deleteNamespacedJob({ name, namespace, propagationPolicy: 'Background' });
  tap((await deleted).type === 'DELETED', 'deleteNamespacedJob; the watch sees DELETED');
  try {
    await batch.readNamespacedJob({ name, namespace });
    tap(false, 'readNamespacedJob after delete: 404');
  } catch (e) {
    tap(e.code === 404, 'readNamespacedJob after delete: 404', e.message);
  }

  // A running pod evicted through the eviction API; then its Job removed
  // with deletecollection.
  const evictJob = {
    apiVersion: 'batch/v1', kind: 'Job',
    metadata: { name: 'nodeevict', labels: { client: 'node-evict' } },
    spec: { template: { spec: { restartPolicy: 'Never', containers: [
      { name: 'c', image: 'kjob/busybox', command: ['sh', '-c', "trap 'exit 143' TERM; sleep 300 & wait"] }] } } },
  };
  const podsPath = `/api/v1/namespaces/${namespace}/pods`;
  const up = watchUntil(podsPath, { labelSelector: 'job-name=nodeevict' }, (type, o) => o.status?.phase === 'Running', 60000);
  await batch.createNamespacedJob({ namespace, body: evictJob });
  const pod = (await up).obj.metadata.name;
  const evicted = watchUntil(podsPath, { labelSelector: 'job-name=nodeevict' }, (type, o) => type === 'DELETED' && o.metadata.name === pod, 30000);
  await new Promise((r) => setTimeout(r, 200)); // let the watch connect first
  await core.createNamespacedPodEviction({ name: pod, namespace,
    body: { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: pod, namespace } } });
  const last = (await evicted).obj;
  tap((last.status?.conditions ?? []).some((c) => c.type === 'DisruptionTarget' && c.status === 'True'),
    'createNamespacedPodEviction: the pod goes, marked DisruptionTarget', JSON.stringify(last.status?.conditions));
  const gone = await batch.deleteCollectionNamespacedJob({ namespace, labelSelector: 'client=node-evict', propagationPolicy: 'Background' });
  tap(gone.kind === 'JobList', 'deleteCollectionNamespacedJob answers the list of deleted Jobs', JSON.stringify(gone));
  const left = await batch.listNamespacedJob({ namespace });
  tap(left.items.length === 0, 'no Job is left', JSON.stringify(left.items.map((j) => j.metadata.name)));
} catch (e) {
  tap(false, 'the client ran to the end', e.stack ?? e);
}
process.exit(failed ? 1 : 0);
