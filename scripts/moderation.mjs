#!/usr/bin/env node
// The operators' view of reports and bans (docs/SECURITY.md, "Reviewing
// reports and lifting a ban"). The Admin SDK, against a project or the
// emulator:
//
//   node scripts/moderation.mjs list                 current bans, with the reports behind each
//   node scripts/moderation.mjs reports <uid>        every report against a person (90 days)
//   node scripts/moderation.mjs lift <uid> [note]    end a ban now; the reports that led to it stop counting
//   node scripts/moderation.mjs ban <uid> <hours> [note]   ban after a review (e.g. reports that did not count)
//   node scripts/moderation.mjs carry-bans           once, when upgrading past the release that moved the
//                                                    ban pairing reads into blocks/{uid} (docs/OPERATIONS.md)
//
// A ban is two writes in one batch: its record (bans/{uid}: when, until,
// by whom, why), which `list` and `reports` read, and `bannedUntil` in the
// person's blocks/{uid}, which join and the calls by link read (one
// document for the ban and the blocks: functions/src/matching/collections.ts).
//
// Project: --project <id>, else GCLOUD_PROJECT, else the emulator's
// demo-parley when FIRESTORE_EMULATOR_HOST is set. Credentials: Application
// Default Credentials (`gcloud auth application-default login`) of someone
// allowed to read and write Firestore. Prints no network hashes: reports
// hold none, and strikes are only counted.
import { initializeApp } from 'firebase-admin/app';
import { FieldValue, getFirestore, Timestamp } from 'firebase-admin/firestore';

const USAGE = `usage: node scripts/moderation.mjs [--project <id>] list | reports <uid> | lift <uid> [note] | ban <uid> <hours> [note] | carry-bans`;

/** Parses argv into the project and the command's words. */
export function parseArgs(argv) {
  const words = [];
  let project = process.env.GCLOUD_PROJECT ?? (process.env.FIRESTORE_EMULATOR_HOST ? 'demo-parley' : undefined);
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--project') project = argv[++i];
    else words.push(argv[i]);
  }
  return { project, command: words[0], args: words.slice(1) };
}

const iso = (t) => (t instanceof Timestamp ? t.toDate().toISOString() : '-');
const seconds = (ms) => (typeof ms === 'number' ? `${Math.round(ms / 1000)} s` : '?');
const minutes = (ms) => (typeof ms === 'number' ? `${Math.round(ms / 60_000)} min` : '?');

/** One line per report: when, why, whether it could count toward a ban, and the facts that decided it. */
function reportLine(d) {
  const r = d.data();
  const review = r.review ? `  [${r.review.outcome} ${iso(r.review.at)}${r.review.note ? `: ${r.review.note}` : ''}]` : '';
  return (
    `  ${iso(r.at)}  ${String(r.reason).padEnd(10)} by ${r.reporter}  room ${r.room || '-'}  call ${r.callId}` +
    `  counted=${r.counted ?? '?'} (call ${seconds(r.callMs)}, account ${minutes(r.reporterAgeMs)})${review}`
  );
}

/** Oldest first: the order of firestore.indexes.json's (reported, at) index. Reports live 90 days. */
async function reportsAgainst(db, uid) {
  const snap = await db.collection('reports').where('reported', '==', uid).orderBy('at').get();
  return snap.docs;
}

async function list(db, out) {
  const bans = await db.collection('bans').where('until', '>', Timestamp.now()).get();
  if (bans.empty) out('No one is banned.');
  for (const ban of bans.docs) {
    const reports = await reportsAgainst(db, ban.id);
    out(`${ban.id}: banned ${iso(ban.get('at'))} until ${iso(ban.get('until'))}${ban.get('by') ? ` by ${ban.get('by')}` : ''}`);
    for (const r of reports) out(reportLine(r));
  }
}

async function reports(db, uid, out) {
  const docs = await reportsAgainst(db, uid);
  const ban = await db.collection('bans').doc(uid).get();
  out(`${uid}: ${docs.length} report(s); ${ban.exists ? `banned until ${iso(ban.get('until'))}` : 'not banned'}`);
  for (const r of docs) out(reportLine(r));
}

/** Ends the ban now, and stops its reports from counting again (else one more report would ban at once). */
async function lift(db, uid, note, out) {
  const [strikes, docs] = await Promise.all([
    db.collection('strikes').where('reported', '==', uid).get(),
    reportsAgainst(db, uid),
  ]);
  const batch = db.batch();
  batch.delete(db.collection('bans').doc(uid));
  batch.set(db.collection('blocks').doc(uid), { bannedUntil: FieldValue.delete() }, { merge: true });
  for (const s of strikes.docs) batch.delete(s.ref);
  const review = { outcome: 'lifted', at: Timestamp.now(), ...(note ? { note } : {}) };
  for (const r of docs.filter((d) => !d.get('review'))) batch.update(r.ref, { review });
  await batch.commit();
  out(
    `${uid}: ban lifted; ${strikes.size} recent report(s) no longer count. Warm function instances may refuse them for up to a minute.`,
  );
}

/** A ban decided by a person after reading the reports. */
async function ban(db, uid, hours, note, out) {
  const h = Number(hours);
  if (!Number.isFinite(h) || h <= 0 || h > 24 * 365) throw new Error(`hours must be a number between 0 and 8760, not ${hours}`);
  const until = Timestamp.fromMillis(Date.now() + h * 3600_000);
  const batch = db.batch();
  batch.set(db.collection('bans').doc(uid), {
    until,
    at: Timestamp.now(),
    by: 'operator',
    ...(note ? { note } : {}),
    expireAt: until,
  });
  batch.set(db.collection('blocks').doc(uid), { bannedUntil: until }, { merge: true });
  // A person waiting right now is taken out of the queue, as an automatic ban does.
  batch.delete(db.collection('queue').doc(uid));
  await batch.commit();
  out(`${uid}: banned until ${until.toDate().toISOString()}.`);
}

/**
 * Copies every ban in force into its person's blocks/{uid}.bannedUntil:
 * bans made by functions of an earlier release are only in bans/{uid},
 * which join no longer reads. Safe to run more than once.
 */
async function carryBans(db, out) {
  const bans = await db.collection('bans').where('until', '>', Timestamp.now()).get();
  for (let i = 0; i < bans.size; i += 400) {
    const batch = db.batch();
    for (const ban of bans.docs.slice(i, i + 400)) {
      batch.set(db.collection('blocks').doc(ban.id), { bannedUntil: ban.get('until') }, { merge: true });
      // As a ban does: a banned person waiting now leaves the queue (a renewal of the entry would not read the ban).
      batch.delete(db.collection('queue').doc(ban.id));
    }
    await batch.commit();
  }
  out(`${bans.size} ban(s) in force carried into blocks/{uid}.bannedUntil.`);
}

export async function main(argv, out = console.log) {
  const { project, command, args } = parseArgs(argv);
  if (!project) throw new Error(`no project: pass --project <id> (or set FIRESTORE_EMULATOR_HOST for the emulator)\n${USAGE}`);
  const db = getFirestore(initializeApp({ projectId: project }, `moderation-${Date.now()}`));
  if (command === 'list' && args.length === 0) return list(db, out);
  if (command === 'reports' && args.length === 1) return reports(db, args[0], out);
  if (command === 'lift' && args.length >= 1) return lift(db, args[0], args.slice(1).join(' '), out);
  if (command === 'carry-bans' && args.length === 0) return carryBans(db, out);
  if (command === 'ban' && args.length >= 2) return ban(db, args[0], args[1], args.slice(2).join(' '), out);
  throw new Error(USAGE);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main(process.argv.slice(2)).then(
    () => process.exit(0),
    (err) => {
      console.error(err.message);
      process.exit(1);
    },
  );
}
