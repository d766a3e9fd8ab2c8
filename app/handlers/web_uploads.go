package handlers

import (
	"fmt"
	"io"
	"mime/multipart"
	"path"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"werkstatt/app/apperr"
	"werkstatt/app/auth"
	"werkstatt/app/forms"
	"werkstatt/app/i18n"
	"werkstatt/app/imaging"
	"werkstatt/app/services"
)

// UploadScreens handles the moderators' upload form: one or many files in
// the field "file". Titles and alt texts come either one per file (the
// script adds a row per file) or once for all; an empty title is made from
// the file name. Every file is checked for size and type before any is
// stored, so the usual mistakes store nothing.
func UploadScreens(d *Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		id, err := idParam(c, "id")
		if err != nil {
			return err
		}
		view, err := d.Svc.Prototype(c.UserContext(), Actor(c), id)
		if err != nil {
			return err
		}
		if err := allow(auth.ManagePrototypes(Actor(c), view.Workshop.Facts())); err != nil {
			return err
		}
		var files []*multipart.FileHeader
		var titles, alts []string
		if mf, err := c.MultipartForm(); err == nil {
			files, titles, alts = mf.File["file"], mf.Value["title"], mf.Value["alt"]
		}
		upload := forms.Screen{Title: first(titles), Alt: first(alts)}
		keep := func(p *PrototypePage) { p.Upload = upload }
		if len(files) == 0 {
			return d.prototypeFailed(c, id, fileErr("screen.file_missing"), "upload", keep)
		}
		for _, fh := range files {
			if err := precheck(fh); err != nil {
				return d.prototypeFailed(c, id, d.namedFileErr(c, fh, err), "upload", keep)
			}
		}
		uploads := make([]services.ScreenUpload, len(files))
		for i, fh := range files {
			r, err := readFileHeader(fh)
			if err != nil {
				return d.prototypeFailed(c, id, d.namedFileErr(c, fh, err), "upload", keep)
			}
			uploads[i] = services.ScreenUpload{Form: screenFormFor(i, len(files), fh.Filename, titles, alts), File: r}
		}
		// All or nothing: a bad file in the middle stores none of them.
		if _, bad, err := d.Svc.UploadScreens(c.UserContext(), Actor(c), id, uploads); err != nil {
			if bad >= 0 {
				err = d.namedFileErr(c, files[bad], err)
			}
			return d.prototypeFailed(c, id, err, "upload", keep)
		}
		if len(files) == 1 {
			d.flash(c, "screen.uploaded_one")
		} else {
			d.flash(c, "screen.uploaded_many")
		}
		return redirect(c, prototypePath(id)+"#screens-heading")
	}
}

func first(vs []string) string {
	if len(vs) == 0 {
		return ""
	}
	return vs[0]
}

func fileErr(key string, args ...any) error {
	return apperr.Fields(apperr.FieldError{Field: "file", Key: key, Args: args})
}

// precheck refuses a file that is too large or is not an image by its
// first bytes, without decoding it.
func precheck(fh *multipart.FileHeader) error {
	if fh.Size > imaging.DefaultLimits.MaxBytes {
		return fileErr("screen.too_large")
	}
	f, err := fh.Open()
	if err != nil {
		return fileErr("screen.corrupt")
	}
	defer f.Close()
	head := make([]byte, 512)
	n, _ := io.ReadFull(f, head)
	if _, ok := imaging.Sniff(head[:n]); !ok {
		return fileErr("screen.unsupported")
	}
	return nil
}

// namedFileErr turns an upload error into a field error of "file" that
// names the file, so with many files the moderator knows which one.
func (d *Deps) namedFileErr(c *fiber.Ctx, fh *multipart.FileHeader, err error) error {
	ae := apperr.As(err)
	key, args := ae.Key, ae.Args
	if len(ae.Fields) > 0 {
		key, args = ae.Fields[0].Key, ae.Fields[0].Args
		if ae.Fields[0].Field != "file" {
			return err // a title or alt text too long: shown at its field
		}
	} else if ae.Code != apperr.TooLarge && ae.Code != apperr.Invalid {
		return err
	}
	msg := i18n.T(Lang(c), key, args...)
	return &apperr.Error{Code: apperr.Invalid, Key: "screen.file_error", Err: err,
		Fields: []apperr.FieldError{{Field: "file", Key: "screen.file_error", Args: []any{shortName(fh.Filename), msg}}}}
}

func shortName(name string) string {
	name = path.Base(strings.ReplaceAll(name, "\\", "/"))
	if utf8.RuneCountInString(name) > 60 {
		name = string([]rune(name)[:59]) + "…"
	}
	return name
}

// screenFormFor picks the title and alt text of file i of n: one per file
// when there are as many as files, else the shared ones; a shared title of
// several files is numbered, a missing one comes from the file name.
func screenFormFor(i, n int, filename string, titles, alts []string) forms.Screen {
	var f forms.Screen
	if len(titles) == n {
		f.Title = titles[i]
	} else if t := strings.TrimSpace(first(titles)); t != "" {
		f.Title = t
		if n > 1 {
			f.Title = fmt.Sprintf("%s (%d)", t, i+1)
		}
	}
	if len(alts) == n {
		f.Alt = alts[i]
	} else {
		f.Alt = first(alts)
	}
	if strings.TrimSpace(f.Title) == "" {
		f.Title = titleFromFile(filename)
	}
	return f
}

var (
	orderPrefix = regexp.MustCompile(`^\d+[\s._-]+`)
	spaces      = regexp.MustCompile(`[\s_-]+`)
)

// titleFromFile makes "02_termin-buchen.png" into "Termin buchen".
func titleFromFile(name string) string {
	name = shortName(name)
	name = strings.TrimSuffix(name, path.Ext(name))
	name = orderPrefix.ReplaceAllString(name, "")
	name = strings.TrimSpace(spaces.ReplaceAllString(name, " "))
	if r, size := utf8.DecodeRuneInString(name); size > 0 {
		name = string(unicode.ToUpper(r)) + name[size:]
	}
	if utf8.RuneCountInString(name) > forms.MaxTitle {
		name = string([]rune(name)[:forms.MaxTitle])
	}
	return name
}
