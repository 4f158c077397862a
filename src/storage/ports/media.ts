/**
 * The media port: the bytes of submitted images and videos, kept out of the database.
 * Content-addressed: an object's key is the lower-case hex SHA-256 of its bytes, so the same
 * bytes submitted twice are stored once and a key always names the same bytes. The database
 * holds the key (content_items.media_sha256) and when the bytes were let go
 * (media_expired_at); this store holds nothing else.
 *
 * One adapter today: a folder on (shared) disk, `media-store-fs.ts`. An S3-compatible adapter
 * (MinIO, ...) fits the same five methods: put = PutObject (the key is known before the
 * upload), get = GetObject (NoSuchKey: undefined), delete = DeleteObject after a HeadObject
 * of LastModified, list = ListObjectsV2 pages. None is shipped: it could not be tested here.
 */

export interface StoredMedia {
  /** The SHA-256 of the bytes, lower-case hex: the object's key. */
  readonly key: string;
  readonly size: number;
}

export interface MediaObject {
  readonly key: string;
  readonly size: number;
  /** When it was last written (ms since the epoch); a put of bytes already there renews it. */
  readonly modifiedAt: number;
}

export interface MediaStore {
  /** Where the bytes are, for logs and `rasd media` (a folder, a bucket URL). */
  readonly location: string;
  /**
   * Stores `bytes` durably (on disk, or acknowledged by the object store) before resolving;
   * a put of bytes already stored renews their `modifiedAt` (a sweep in progress then keeps them).
   */
  put(bytes: Uint8Array): Promise<StoredMedia>;
  /** The bytes under `key`, or undefined when there are none (deleted, never stored). */
  get(key: string): Promise<Uint8Array | undefined>;
  /**
   * Deletes the object under `key` unless it was written at or after `unchangedSince` (ms):
   * a put that raced the decision to delete wins. True when it was deleted.
   */
  delete(key: string, unchangedSince?: number): Promise<boolean>;
  /** Every stored object, in no particular order (for the orphan sweep and counts). */
  list(): AsyncIterable<MediaObject>;
}
