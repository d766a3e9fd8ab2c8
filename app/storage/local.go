package storage

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"
)

// On-disk layout. Key "a/b/c" is stored as ROOT/a.d/b.d/c.o with its
// metadata sidecar ROOT/a.d/b.d/c.m. The suffixes keep the three kinds of
// names apart: a key ending in ".m" can never clobber a sidecar, a Put of
// "a" never fails because a directory "a" exists (file "a.o" sits next to
// directory "a.d"), and stray files such as in-flight temp files are ignored
// by List.
const (
	dataSuffix = ".o"
	metaSuffix = ".m"
	dirSuffix  = ".d"
	tempPrefix = ".put-"
	// staleTempAge is how old a leftover temp file (from a crash mid-Put)
	// must be before NewLocal deletes it; long enough to never race a Put.
	staleTempAge = 24 * time.Hour
)

// Local is a Store in a directory on the local file system, for development
// and single-node installs. Writes are atomic: content goes to a temp file
// in the store's root and is renamed into place, so readers see the old or
// the new object, never a partial one.
type Local struct {
	root string
	// mu pairs the two renames of a Put (data, then sidecar) and the two
	// reads of a Get (open data, read sidecar), so a reader in this process
	// never sees new content with old metadata. Copying bytes happens
	// outside the lock.
	mu sync.RWMutex
}

// localMeta is the JSON sidecar. Size and ModTime record which data file it
// was written for: if a crash left a sidecar that does not match its data
// file, the metadata is recomputed instead of trusted.
type localMeta struct {
	ContentType string `json:"contentType"`
	ETag        string `json:"etag"`
	Size        int64  `json:"size"`
	ModTime     int64  `json:"modTimeUnixNano"`
}

var _ Store = (*Local)(nil)

// NewLocal opens (creating if needed) a store rooted at dir.
func NewLocal(dir string) (*Local, error) {
	if dir == "" {
		return nil, errors.New("storage: local: empty directory")
	}
	root, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("storage: local: resolve %q: %w", dir, err)
	}
	if err := os.MkdirAll(root, 0o750); err != nil {
		return nil, fmt.Errorf("storage: local: create %q: %w", root, err)
	}
	removeStaleTemps(root)
	return &Local{root: root}, nil
}

// Name implements Store.
func (l *Local) Name() string { return "local" }

// Ping checks that the root still exists and is writable, which is what a
// Put needs; a read-only or vanished volume should fail /readyz.
func (l *Local) Ping(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("storage: local: ping: %w", err)
	}
	f, err := os.CreateTemp(l.root, tempPrefix+"ping-*")
	if err != nil {
		return fmt.Errorf("storage: local: ping %q: %w", l.root, err)
	}
	name := f.Name()
	if err := errors.Join(f.Close(), os.Remove(name)); err != nil {
		return fmt.Errorf("storage: local: ping %q: %w", l.root, err)
	}
	return nil
}

// Put implements Store.
func (l *Local) Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) error {
	if err := ValidateKey(key); err != nil {
		return err
	}
	if size < -1 {
		return fmt.Errorf("storage: local: put %q: invalid size %d", key, size)
	}
	dataTmp, meta, err := l.writeDataTemp(ctx, r, size)
	if err != nil {
		return fmt.Errorf("storage: local: put %q: %w", key, err)
	}
	defer removeIfExists(dataTmp)
	meta.ContentType = orDefault(contentType)
	metaTmp, err := l.writeMetaTemp(meta)
	if err != nil {
		return fmt.Errorf("storage: local: put %q: %w", key, err)
	}
	defer removeIfExists(metaTmp)
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("storage: local: put %q: %w", key, err)
	}

	dataPath, metaPath := l.paths(key)
	l.mu.Lock()
	defer l.mu.Unlock()
	if err := os.MkdirAll(filepath.Dir(dataPath), 0o750); err != nil {
		return fmt.Errorf("storage: local: put %q: %w", key, err)
	}
	if err := os.Rename(dataTmp, dataPath); err != nil {
		return fmt.Errorf("storage: local: put %q: %w", key, err)
	}
	if err := os.Rename(metaTmp, metaPath); err != nil {
		return fmt.Errorf("storage: local: put %q: metadata: %w", key, err)
	}
	return nil
}

// writeDataTemp copies the body into a synced temp file, hashing it on the
// way. The ETag is the hex MD5, like S3's for single-part uploads.
func (l *Local) writeDataTemp(ctx context.Context, r io.Reader, size int64) (name string, m localMeta, err error) {
	f, err := os.CreateTemp(l.root, tempPrefix+"*")
	if err != nil {
		return "", m, fmt.Errorf("create temp file: %w", err)
	}
	defer func() {
		if err != nil {
			_ = f.Close()
			removeIfExists(f.Name())
		}
	}()
	var src io.Reader = ctxReader{ctx: ctx, r: r}
	if size >= 0 {
		src = io.LimitReader(src, size)
	}
	h := md5.New()
	n, err := io.Copy(io.MultiWriter(f, h), src)
	if err != nil {
		return "", m, fmt.Errorf("write body: %w", err)
	}
	if size >= 0 && n != size {
		return "", m, fmt.Errorf("body has %d bytes, want %d: %w", n, size, io.ErrUnexpectedEOF)
	}
	if err := f.Sync(); err != nil {
		return "", m, fmt.Errorf("sync temp file: %w", err)
	}
	fi, err := f.Stat()
	if err != nil {
		return "", m, fmt.Errorf("stat temp file: %w", err)
	}
	if err := f.Close(); err != nil {
		return "", m, fmt.Errorf("close temp file: %w", err)
	}
	m = localMeta{ETag: hex.EncodeToString(h.Sum(nil)), Size: n, ModTime: fi.ModTime().UnixNano()}
	return f.Name(), m, nil
}

// writeMetaTemp writes the sidecar to a synced temp file.
func (l *Local) writeMetaTemp(m localMeta) (name string, err error) {
	b, err := json.Marshal(m)
	if err != nil {
		return "", fmt.Errorf("encode metadata: %w", err)
	}
	f, err := os.CreateTemp(l.root, tempPrefix+"*")
	if err != nil {
		return "", fmt.Errorf("create metadata temp file: %w", err)
	}
	if _, err := f.Write(b); err != nil {
		_ = f.Close()
		removeIfExists(f.Name())
		return "", fmt.Errorf("write metadata: %w", err)
	}
	if err := errors.Join(f.Sync(), f.Close()); err != nil {
		removeIfExists(f.Name())
		return "", fmt.Errorf("write metadata: %w", err)
	}
	return f.Name(), nil
}

// Get implements Store.
func (l *Local) Get(ctx context.Context, key string) (io.ReadCloser, Info, error) {
	if err := ValidateKey(key); err != nil {
		return nil, Info{}, err
	}
	if err := ctx.Err(); err != nil {
		return nil, Info{}, fmt.Errorf("storage: local: get %q: %w", key, err)
	}
	dataPath, metaPath := l.paths(key)
	l.mu.RLock()
	f, info, err := l.open(key, dataPath, metaPath)
	l.mu.RUnlock()
	if err != nil {
		return nil, Info{}, fmt.Errorf("storage: local: get %q: %w", key, err)
	}
	return f, info, nil
}

// Stat implements Store.
func (l *Local) Stat(ctx context.Context, key string) (Info, error) {
	if err := ValidateKey(key); err != nil {
		return Info{}, err
	}
	if err := ctx.Err(); err != nil {
		return Info{}, fmt.Errorf("storage: local: stat %q: %w", key, err)
	}
	dataPath, metaPath := l.paths(key)
	l.mu.RLock()
	info, err := l.statLocked(key, dataPath, metaPath)
	l.mu.RUnlock()
	if err != nil {
		return Info{}, fmt.Errorf("storage: local: stat %q: %w", key, err)
	}
	return info, nil
}

// Delete implements Store. Directories left empty are removed so the tree
// does not fill up with husks of deleted prefixes.
func (l *Local) Delete(ctx context.Context, key string) error {
	if err := ValidateKey(key); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("storage: local: delete %q: %w", key, err)
	}
	dataPath, metaPath := l.paths(key)
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, p := range []string{dataPath, metaPath} {
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("storage: local: delete %q: %w", key, err)
		}
	}
	for dir := filepath.Dir(dataPath); dir != l.root; dir = filepath.Dir(dir) {
		if os.Remove(dir) != nil { // not empty (or already gone): stop climbing
			break
		}
	}
	return nil
}

// List implements Store. It walks only the directory named by the prefix's
// complete segments and prunes subdirectories that cannot match.
func (l *Local) List(ctx context.Context, prefix string) ([]Info, error) {
	if err := validatePrefix(prefix); err != nil {
		return nil, err
	}
	segs := strings.Split(prefix, "/")
	start := l.root
	for _, s := range segs[:len(segs)-1] {
		start = filepath.Join(start, s+dirSuffix)
	}
	l.mu.RLock()
	defer l.mu.RUnlock()
	out := []Info{}
	err := filepath.WalkDir(start, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if path == start && errors.Is(err, fs.ErrNotExist) {
				return fs.SkipAll
			}
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if d.IsDir() {
			if path == start {
				return nil
			}
			if !strings.HasSuffix(d.Name(), dirSuffix) || !strings.HasPrefix(l.keyOf(path)+"/", prefix) {
				return fs.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() || !strings.HasSuffix(d.Name(), dataSuffix) || path == start {
			return nil
		}
		key := l.keyOf(path)
		if !strings.HasPrefix(key, prefix) {
			return nil
		}
		info, err := l.statLocked(key, path, strings.TrimSuffix(path, dataSuffix)+metaSuffix)
		if errors.Is(err, ErrNotFound) { // deleted by another process mid-walk
			return nil
		}
		if err != nil {
			return err
		}
		out = append(out, info)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("storage: local: list %q: %w", prefix, err)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out, nil
}

// paths maps a valid key to its data and sidecar files.
func (l *Local) paths(key string) (data, meta string) {
	segs := strings.Split(key, "/")
	dir := l.root
	for _, s := range segs[:len(segs)-1] {
		dir = filepath.Join(dir, s+dirSuffix)
	}
	last := segs[len(segs)-1]
	return filepath.Join(dir, last+dataSuffix), filepath.Join(dir, last+metaSuffix)
}

// keyOf inverts paths for a data file or a directory below the root.
func (l *Local) keyOf(path string) string {
	rel, err := filepath.Rel(l.root, path)
	if err != nil {
		return ""
	}
	segs := strings.Split(filepath.ToSlash(rel), "/")
	for i, s := range segs {
		s = strings.TrimSuffix(s, dirSuffix)
		if i == len(segs)-1 {
			s = strings.TrimSuffix(s, dataSuffix)
		}
		segs[i] = s
	}
	return strings.Join(segs, "/")
}

// statLocked describes an object; the caller holds l.mu.
func (l *Local) statLocked(key, dataPath, metaPath string) (Info, error) {
	f, info, err := l.open(key, dataPath, metaPath)
	if err != nil {
		return Info{}, err
	}
	if err := f.Close(); err != nil {
		return Info{}, fmt.Errorf("close: %w", err)
	}
	return info, nil
}

// open opens the data file and describes it; the caller holds l.mu, so the
// sidecar read belongs to the file opened.
func (l *Local) open(key, dataPath, metaPath string) (*os.File, Info, error) {
	f, err := os.Open(dataPath)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, Info{}, ErrNotFound
	}
	if err != nil {
		return nil, Info{}, err
	}
	info, err := describe(key, f, metaPath)
	if err != nil {
		_ = f.Close()
		return nil, Info{}, err
	}
	return f, info, nil
}

// describe builds Info from the open data file and its sidecar. A missing,
// corrupt or mismatched sidecar (crash between the two renames, or files
// copied in by hand) is not fatal: the ETag is recomputed from the content
// and the content type falls back to DefaultContentType.
func describe(key string, f *os.File, metaPath string) (Info, error) {
	fi, err := f.Stat()
	if err != nil {
		return Info{}, fmt.Errorf("stat: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return Info{}, ErrNotFound
	}
	info := Info{Key: key, Size: fi.Size(), ModTime: fi.ModTime()}
	var m localMeta
	b, err := os.ReadFile(metaPath)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return Info{}, fmt.Errorf("read metadata: %w", err)
	}
	if err == nil && json.Unmarshal(b, &m) == nil && m.Size == fi.Size() && m.ModTime == fi.ModTime().UnixNano() {
		info.ContentType, info.ETag = m.ContentType, m.ETag
		return info, nil
	}
	h := md5.New()
	if _, err := io.Copy(h, io.NewSectionReader(f, 0, fi.Size())); err != nil {
		return Info{}, fmt.Errorf("hash content: %w", err)
	}
	info.ContentType, info.ETag = DefaultContentType, hex.EncodeToString(h.Sum(nil))
	return info, nil
}

// removeStaleTemps deletes temp files a crashed Put left behind. It is
// best-effort housekeeping: failures only leave garbage, so they are ignored.
func removeStaleTemps(root string) {
	names, err := filepath.Glob(filepath.Join(root, tempPrefix+"*"))
	if err != nil {
		return
	}
	for _, name := range names {
		if fi, err := os.Lstat(name); err == nil && fi.Mode().IsRegular() && time.Since(fi.ModTime()) > staleTempAge {
			_ = os.Remove(name)
		}
	}
}

// removeIfExists cleans up a temp file; after a successful rename the name
// is gone and there is nothing to do.
func removeIfExists(name string) { _ = os.Remove(name) }

// ctxReader stops a copy when the context is cancelled, so an abandoned
// upload does not keep writing to disk.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
