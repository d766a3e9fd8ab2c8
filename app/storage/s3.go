package storage

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// unknownSizePartSize is the multipart chunk used when Put gets size -1.
// minio-go otherwise sizes parts for a 5 TiB object and allocates a ~537 MiB
// buffer per upload; 16 MiB parts cap memory and still allow objects of up
// to 160 GiB (10,000 parts).
const unknownSizePartSize = 16 << 20

// S3Config locates an S3-compatible bucket (MinIO in production and tests).
type S3Config struct {
	Endpoint  string // host[:port], without scheme; UseSSL picks https
	AccessKey string
	SecretKey string
	Bucket    string
	UseSSL    bool
	Region    string // optional; MinIO ignores it, AWS needs it
}

// S3 is a Store in an S3 bucket.
type S3 struct {
	client *minio.Client
	bucket string
	region string
}

var _ Store = (*S3)(nil)

// NewS3 connects to the endpoint and creates the bucket if it is missing,
// so a fresh MinIO needs no manual setup. It fails if the server cannot be
// reached or the credentials are refused.
func NewS3(ctx context.Context, cfg S3Config) (*S3, error) {
	switch {
	case cfg.Endpoint == "":
		return nil, errors.New("storage: s3: endpoint is required")
	case strings.Contains(cfg.Endpoint, "://"):
		return nil, fmt.Errorf("storage: s3: endpoint %q must be host[:port] without scheme (set UseSSL for https)", cfg.Endpoint)
	case cfg.Bucket == "":
		return nil, errors.New("storage: s3: bucket is required")
	}
	client, err := minio.New(cfg.Endpoint, &minio.Options{
		Creds:  credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, ""),
		Secure: cfg.UseSSL,
		Region: cfg.Region,
	})
	if err != nil {
		return nil, fmt.Errorf("storage: s3: client for %q: %w", cfg.Endpoint, err)
	}
	s := &S3{client: client, bucket: cfg.Bucket, region: cfg.Region}
	if err := s.ensureBucket(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// ensureBucket creates the bucket unless it exists; losing a creation race
// to another instance (BucketAlreadyOwnedByYou) counts as success.
func (s *S3) ensureBucket(ctx context.Context) error {
	exists, err := s.client.BucketExists(ctx, s.bucket)
	if err != nil {
		return fmt.Errorf("storage: s3: check bucket %q: %w", s.bucket, err)
	}
	if exists {
		return nil
	}
	err = s.client.MakeBucket(ctx, s.bucket, minio.MakeBucketOptions{Region: s.region})
	if err != nil && minio.ToErrorResponse(err).Code != minio.BucketAlreadyOwnedByYou {
		return fmt.Errorf("storage: s3: create bucket %q: %w", s.bucket, err)
	}
	return nil
}

// Name implements Store.
func (s *S3) Name() string { return "s3" }

// Ping implements Store: the server answers, accepts our credentials and
// the bucket still exists.
func (s *S3) Ping(ctx context.Context) error {
	exists, err := s.client.BucketExists(ctx, s.bucket)
	if err != nil {
		return fmt.Errorf("storage: s3: ping bucket %q: %w", s.bucket, err)
	}
	if !exists {
		return fmt.Errorf("storage: s3: ping: bucket %q does not exist", s.bucket)
	}
	return nil
}

// Put implements Store.
func (s *S3) Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) error {
	if err := ValidateKey(key); err != nil {
		return err
	}
	if size < -1 {
		return fmt.Errorf("storage: s3: put %q: invalid size %d", key, size)
	}
	opts := minio.PutObjectOptions{ContentType: orDefault(contentType)}
	if size < 0 {
		opts.PartSize = unknownSizePartSize
	}
	if _, err := s.client.PutObject(ctx, s.bucket, key, r, size, opts); err != nil {
		return fmt.Errorf("storage: s3: put %q: %w", key, err)
	}
	return nil
}

// Get implements Store. minio-go's GetObject sends no request until first
// use, so the object is Stat'ed through the handle at once: that surfaces a
// missing key here as ErrNotFound rather than on the caller's first Read.
func (s *S3) Get(ctx context.Context, key string) (io.ReadCloser, Info, error) {
	if err := ValidateKey(key); err != nil {
		return nil, Info{}, err
	}
	obj, err := s.client.GetObject(ctx, s.bucket, key, minio.GetObjectOptions{})
	if err != nil {
		return nil, Info{}, s.wrap("get", key, err)
	}
	oi, err := obj.Stat()
	if err != nil {
		_ = obj.Close()
		return nil, Info{}, s.wrap("get", key, err)
	}
	return obj, toInfo(oi), nil
}

// Stat implements Store.
func (s *S3) Stat(ctx context.Context, key string) (Info, error) {
	if err := ValidateKey(key); err != nil {
		return Info{}, err
	}
	oi, err := s.client.StatObject(ctx, s.bucket, key, minio.StatObjectOptions{})
	if err != nil {
		return Info{}, s.wrap("stat", key, err)
	}
	return toInfo(oi), nil
}

// Delete implements Store; S3 already treats deleting a missing key as
// success.
func (s *S3) Delete(ctx context.Context, key string) error {
	if err := ValidateKey(key); err != nil {
		return err
	}
	if err := s.client.RemoveObject(ctx, s.bucket, key, minio.RemoveObjectOptions{}); err != nil {
		return s.wrap("delete", key, err)
	}
	return nil
}

// List implements Store. S3 listings carry no content type, so
// Info.ContentType is empty here; Stat a key when it is needed.
func (s *S3) List(ctx context.Context, prefix string) ([]Info, error) {
	if err := validatePrefix(prefix); err != nil {
		return nil, err
	}
	// Cancelling on return stops minio-go's listing goroutine if we bail
	// out early on an error.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	out := []Info{}
	for oi := range s.client.ListObjects(ctx, s.bucket, minio.ListObjectsOptions{Prefix: prefix, Recursive: true}) {
		if oi.Err != nil {
			return nil, fmt.Errorf("storage: s3: list %q: %w", prefix, oi.Err)
		}
		out = append(out, toInfo(oi))
	}
	// S3 already lists in byte order; sorting makes that a guarantee of
	// ours rather than of whichever server is behind the endpoint.
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out, nil
}

// PresignedGet returns a URL that lets anyone holding it download key
// until expiry, without credentials; used to hand large downloads to the
// browser instead of proxying them through the app. It does not check that
// the key exists.
func (s *S3) PresignedGet(ctx context.Context, key string, expiry time.Duration) (*url.URL, error) {
	if err := ValidateKey(key); err != nil {
		return nil, err
	}
	u, err := s.client.PresignedGetObject(ctx, s.bucket, key, expiry, nil)
	if err != nil {
		return nil, fmt.Errorf("storage: s3: presign %q: %w", key, err)
	}
	return u, nil
}

// wrap adds context to an S3 error and maps a missing key to ErrNotFound.
// A missing bucket is deliberately not ErrNotFound: that is a configuration
// fault, not an absent object.
func (s *S3) wrap(op, key string, err error) error {
	var er minio.ErrorResponse
	if errors.As(err, &er) && er.Code == minio.NoSuchKey {
		return fmt.Errorf("storage: s3: %s %q: %w", op, key, ErrNotFound)
	}
	return fmt.Errorf("storage: s3: %s %q: %w", op, key, err)
}

func toInfo(oi minio.ObjectInfo) Info {
	return Info{Key: oi.Key, Size: oi.Size, ContentType: oi.ContentType, ETag: oi.ETag, ModTime: oi.LastModified}
}
