/**
 * The software library: upload a package (.deb, .rpm) once, deploy it to devices with
 * `software.deploy` naming the package instead of a URL. Uploads are streamed to disk and named by
 * their SHA-256; each account sees only its own packages; a package an open deploy run uses
 * cannot be deleted; an agent may download a file only while a sent software.deploy command of its
 * own names it. Every upload and deletion (and every refusal of one) is audited.
 */
import type { Readable } from 'node:stream';
import {
  type SoftwareKindT,
  type SoftwareListQueryT,
  type SoftwarePackageT,
  type SoftwareUploadQueryT,
  type SoftwareUploadResultT,
  softwareDownloadPath,
  VigilError,
} from '@vigil/protocol';
import { newId, nowIso } from '../../store/ids.js';
import { type SoftwarePackageRow, SoftwarePackagesRepo } from '../../store/repos/software-packages.js';
import type { Services } from '../index.js';
import type { Principal, RequestContext } from '../principal.js';
import { PackageFiles, type ReceivedFile } from './package-files.js';
import { detectKind, packageFileName, readIdentity, settleIdentity } from './package-metadata.js';

type Ctx = RequestContext & { principal: Principal };

/** The action whose runs may name a library package. */
export const DEPLOY_ACTION = 'software.deploy';

const REF = /^[A-Za-z0-9_-]{1,64}$/;

/** The wire form of a row. */
function view(row: SoftwarePackageRow): SoftwarePackageT {
  return {
    id: row.id,
    sha256: row.sha256,
    kind: row.kind as SoftwareKindT,
    name: row.name,
    version: row.version,
    arch: row.arch,
    filename: row.filename,
    original_filename: row.original_filename,
    size: Number(row.size),
    uploaded_by: { id: row.uploaded_by, name: row.uploaded_by_name },
    created_at: row.created_at,
  };
}

/** Software library use cases. */
export class SoftwareService {
  readonly repo: SoftwarePackagesRepo;
  readonly files: PackageFiles;
  /** Per-file serialization: an upload's rename+insert never interleaves with a delete's remove. */
  private readonly locks = new Map<string, Promise<unknown>>();

  constructor(private readonly services: Services) {
    this.repo = new SoftwarePackagesRepo(services.store.db);
    this.files = new PackageFiles(services.config.dataDir);
  }

  /** The upload size limit in bytes. */
  get maxBytes(): number {
    return this.services.config.softwareMaxBytes;
  }

  private async withFileLock<T>(sha256: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.locks.get(sha256) ?? Promise.resolve();
    const result = previous.then(fn, fn);
    const settled = result.catch(() => undefined);
    this.locks.set(sha256, settled);
    void settled.then(() => {
      if (this.locks.get(sha256) === settled) this.locks.delete(sha256);
    });
    return result;
  }

  /** Refusals are audited with their code, then thrown. */
  private async refuse(ctx: Ctx, action: string, target: string | null, error: unknown, detail = {}) {
    await this.services.audit.record(ctx, action, target, 'failure', {
      ...detail,
      code: error instanceof VigilError ? error.code : 'E_INTERNAL',
      reason: error instanceof VigilError ? error.message : 'internal error',
    });
    return error;
  }

  /**
   * Store an uploaded package. The same bytes uploaded again answer the existing package
   * (`duplicate: true`). `declaredLength` (Content-Length) lets a too-large upload be refused before
   * a byte is read.
   */
  async upload(
    ctx: Ctx,
    body: Readable,
    query: SoftwareUploadQueryT,
    declaredLength: number | undefined,
  ): Promise<SoftwareUploadResultT> {
    const given = query.filename ? { filename: query.filename } : {};
    if (declaredLength !== undefined && declaredLength > this.maxBytes) {
      body.resume();
      throw await this.refuse(
        ctx,
        'software.upload',
        null,
        new VigilError(
          'E_BODY_TOO_LARGE',
          `the package is ${declaredLength} bytes, over this server's limit of ${this.maxBytes} bytes (--software-max-size)`,
          { headers: { connection: 'close' } },
        ),
        { ...given, size: declaredLength },
      );
    }
    let received: ReceivedFile;
    try {
      received = await this.files.receive(body, this.maxBytes);
    } catch (error) {
      throw await this.refuse(ctx, 'software.upload', null, error, given);
    }
    try {
      return await this.store(ctx, received, query);
    } catch (error) {
      await this.files.discard(received);
      throw await this.refuse(ctx, 'software.upload', `sha256:${received.sha256}`, error, {
        ...given,
        sha256: received.sha256,
        size: received.size,
      });
    }
  }

  private async store(
    ctx: Ctx,
    file: ReceivedFile,
    query: SoftwareUploadQueryT,
  ): Promise<SoftwareUploadResultT> {
    const accountId = ctx.principal.accountId;
    const kind = detectKind(file.head);
    if (!kind)
      throw new VigilError(
        'E_SOFTWARE_TYPE',
        'the file is neither a .deb nor an .rpm package (checked by its content, not its name)',
      );
    const known = await this.repo.find(accountId, file.sha256);
    if (known) {
      // The bytes were just hashed: putting them in place repairs a stored file lost or damaged on disk.
      await this.withFileLock(file.sha256, () => this.files.commit(file));
      await this.services.audit.record(ctx, 'software.upload', `software:${known.id}`, 'success', {
        sha256: known.sha256,
        name: known.name,
        version: known.version,
        duplicate: true,
      });
      return { ...view(known), duplicate: true };
    }
    const identity = settleIdentity(kind, await readIdentity(file.tmpPath, kind), query);
    const row: SoftwarePackageRow = {
      id: newId(),
      account_id: accountId,
      sha256: file.sha256,
      kind,
      ...identity,
      filename: packageFileName(kind, identity),
      original_filename: query.filename ?? null,
      size: file.size,
      uploaded_by: ctx.principal.userId,
      uploaded_by_name: ctx.principal.email,
      created_at: nowIso(),
    };
    const inserted = await this.withFileLock(file.sha256, async () => {
      await this.files.commit(file);
      return this.repo.insertIfNew(row);
    });
    // A concurrent upload of the same bytes won the insert: answer its row.
    const stored = inserted ? row : await this.repo.find(accountId, file.sha256);
    if (!stored)
      throw new VigilError('E_CONFLICT', 'the package was deleted while it was uploaded; upload it again');
    await this.services.audit.record(ctx, 'software.upload', `software:${stored.id}`, 'success', {
      sha256: stored.sha256,
      kind,
      name: stored.name,
      version: stored.version,
      arch: stored.arch,
      size: Number(stored.size),
      ...(query.filename ? { filename: query.filename } : {}),
      duplicate: !inserted,
    });
    return { ...view(stored), duplicate: !inserted };
  }

  /** A package of the caller's account by id or SHA-256, or E_SOFTWARE_NOT_FOUND. */
  async getRow(p: Principal, ref: string): Promise<SoftwarePackageRow> {
    const row = REF.test(ref) ? await this.repo.find(p.accountId, ref) : undefined;
    if (!row)
      throw new VigilError(
        'E_SOFTWARE_NOT_FOUND',
        `no package ${ref} in this account's software library (vigil software list)`,
      );
    return row;
  }

  /** One package. */
  async get(p: Principal, ref: string): Promise<SoftwarePackageT> {
    return view(await this.getRow(p, ref));
  }

  /** The account's packages, newest first. */
  async list(
    p: Principal,
    q: SoftwareListQueryT,
  ): Promise<{ items: SoftwarePackageT[]; next_cursor: string | null }> {
    const page = await this.repo.list(p.accountId, {
      limit: q.limit ?? 50,
      ...(q.cursor ? { cursor: q.cursor } : {}),
      ...(q.name ? { name: q.name } : {}),
    });
    return { items: page.items.map(view), next_cursor: page.next_cursor };
  }

  /** Delete a package; refused while a deploy run waiting for approval or in progress uses it. */
  async delete(ctx: Ctx, ref: string): Promise<SoftwarePackageT> {
    const row = await this.getRow(ctx.principal, ref);
    const target = `software:${row.id}`;
    const runs = await this.repo.openDeployRuns(row.account_id, row.sha256);
    if (runs.length > 0)
      throw await this.refuse(
        ctx,
        'software.delete',
        target,
        new VigilError(
          'E_SOFTWARE_IN_USE',
          `${row.name} ${row.version} is used by software.deploy run ${runs.slice(0, 3).join(', ')}${runs.length > 3 ? ', …' : ''}: wait for it to finish or cancel it (vigil actions cancel ID)`,
          { details: { runs } },
        ),
        { sha256: row.sha256 },
      );
    const fileRemoved = await this.withFileLock(row.sha256, async () => {
      await this.repo.delete(row.account_id, row.id);
      if (await this.repo.anyWithSha256(row.sha256)) return false;
      await this.files.remove(row.sha256);
      return true;
    });
    await this.services.audit.record(ctx, 'software.delete', target, 'success', {
      sha256: row.sha256,
      name: row.name,
      version: row.version,
      file_removed: fileRemoved,
    });
    return view(row);
  }

  /**
   * software.deploy parameters naming a library package (`package: <id or sha256>`) become the
   * agent-facing ones: the download path on this server, the SHA-256 and the file name. Parameters
   * without `package` pass through unchanged.
   */
  async deployParams(p: Principal, params: Record<string, unknown>): Promise<Record<string, unknown>> {
    if (!Object.hasOwn(params, 'package')) return params;
    const { package: ref, ...rest } = params;
    if (typeof ref !== 'string' || !REF.test(ref))
      throw new VigilError(
        'E_ACTION_PARAMS',
        '`package` must be a package id or SHA-256 from the software library (vigil software list)',
      );
    for (const own of ['url', 'sha256', 'filename'])
      if (Object.hasOwn(rest, own))
        throw new VigilError(
          'E_ACTION_PARAMS',
          `give either \`package\` or \`url\`, \`sha256\` and \`filename\`, not both (\`${own}\` was given too)`,
        );
    const row = await this.getRow(p, ref);
    if (!(await this.files.exists(row.sha256))) {
      this.services.log.error(
        { package: row.id, sha256: row.sha256 },
        'software library file missing from disk',
      );
      throw new VigilError(
        'E_SOFTWARE_NOT_FOUND',
        `the file of ${row.name} ${row.version} is missing from the server's data directory; upload it again`,
      );
    }
    return { ...rest, url: softwareDownloadPath(row.sha256), sha256: row.sha256, filename: row.filename };
  }

  /**
   * Open a file for an agent: its account must hold the package and a sent, unanswered
   * software.deploy command of this device must name it. The download is audited.
   */
  async openForDevice(
    device: { id: string; account_id: string; hostname: string },
    sha256: string,
    ip: string | null,
  ) {
    const row = await this.repo.find(device.account_id, sha256);
    if (!row)
      throw new VigilError(
        'E_SOFTWARE_NOT_FOUND',
        `the software library of this device's account has no file ${sha256}`,
      );
    const runId = await this.repo.sentDeployRun(device.id, sha256);
    if (!runId)
      throw new VigilError(
        'E_SOFTWARE_NOT_TARGETED',
        'no software.deploy command sent to this device names this file (or it already reported)',
      );
    const opened = await this.files.open(sha256);
    if (!opened) {
      this.services.log.error({ package: row.id, sha256 }, 'software library file missing from disk');
      throw new VigilError(
        'E_SOFTWARE_NOT_FOUND',
        `the file ${sha256} is missing from the server's data directory`,
      );
    }
    await this.services.repos.audit.append({
      account_id: device.account_id,
      actor: `agent:${device.id}`,
      actor_name: device.hostname,
      action: 'software.download',
      target: `software:${row.id}`,
      source_ip: ip,
      outcome: 'success',
      detail: { sha256, run_id: runId, size: opened.size },
    });
    return { ...opened, filename: row.filename };
  }
}
