import { loadSnapshotValidator } from '../../src/host/snapshot.js';

/** schema/snapshot.schema.json compiled once for every test file that reads a recorded snapshot. */
export const validateSnapshot = await loadSnapshotValidator();
