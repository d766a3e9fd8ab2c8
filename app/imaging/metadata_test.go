package imaging

import (
	"bytes"
	"context"
	"encoding/binary"
	"strings"
	"testing"
)

const (
	gpsMarker  = "WERKSTATT-GPS-MARKER-52.5200N"
	descMarker = "WERKSTATT-DESCRIPTION-MARKER"
	xmpMarker  = "WERKSTATT-XMP-MARKER"
	textMarker = "WERKSTATT-TEXT-MARKER"
)

func allVariants(res *Result) map[string]Variant {
	return map[string]Variant{"original": res.Original, "display": res.Display, "thumbnail": res.Thumbnail}
}

// assertNoMarkers fails when any variant still holds one of the strings.
func assertNoMarkers(t *testing.T, res *Result, markers ...string) {
	t.Helper()
	for name, v := range allVariants(res) {
		for _, m := range markers {
			if bytes.Contains(v.Data, []byte(m)) {
				t.Errorf("%s still contains %q", name, m)
			}
		}
	}
}

func TestJPEGMetadataRemoved(t *testing.T) {
	tiff := exifBlock(
		[]tiffEntry{asciiEntry(0x010E, descMarker), orientationEntry(1)},
		[]tiffEntry{asciiEntry(0x0001, "N"), {0x001C, 7, uint32(len(gpsMarker)), []byte(gpsMarker)}},
	)
	in := withJPEGExif(t, encodeJPEGBytes(t, photo(2000, 500), 90), tiff)
	// Also an XMP packet (APP1), an ICC profile (APP2) and a comment (COM) after the EXIF.
	in = insertJPEGSegment(in, 0xE1, append([]byte("http://ns.adobe.com/xap/1.0/\x00"), "<x:xmpmeta>"+xmpMarker+"</x:xmpmeta>"...))
	in = insertJPEGSegment(in, 0xE2, append([]byte("ICC_PROFILE\x00\x01\x01"), "icc "+textMarker...))
	in = insertJPEGSegment(in, 0xFE, []byte("comment "+textMarker))
	for _, m := range []string{gpsMarker, descMarker, xmpMarker, textMarker, "Exif\x00\x00"} {
		if !bytes.Contains(in, []byte(m)) {
			t.Fatalf("test input lacks %q", m)
		}
	}

	res, err := Process(context.Background(), bytes.NewReader(in), DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	assertNoMarkers(t, res, gpsMarker, descMarker, xmpMarker, textMarker, "Exif", "http://ns.adobe.com", "ICC_PROFILE")
	for name, v := range allVariants(res) {
		decodeVariant(t, v)
		for _, m := range jpegSegments(t, v.Data) {
			if m >= 0xE0 && m <= 0xEF || m == 0xFE {
				t.Errorf("%s has segment FF%02X; want no APPn or COM", name, m)
			}
		}
	}
}

func TestPNGMetadataRemoved(t *testing.T) {
	xmp := "XML:com.adobe.xmp\x00\x00\x00\x00\x00<x:xmpmeta>" + xmpMarker + "</x:xmpmeta>"
	in := withPNGChunks(t, encodePNGBytes(t, photo(600, 300)),
		pngChunk("tEXt", []byte("Comment\x00"+textMarker)),
		pngChunk("iTXt", []byte(xmp)),
		pngChunk("eXIf", exifBlock(nil, []tiffEntry{{0x001C, 7, uint32(len(gpsMarker)), []byte(gpsMarker)}})),
		pngChunk("tIME", []byte{0x07, 0xE9, 1, 2, 3, 4, 5}),
	)
	res, err := Process(context.Background(), bytes.NewReader(in), DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	if res.Original.ContentType != "image/png" {
		t.Fatalf("PNG came out as %s", res.Original.ContentType)
	}
	assertNoMarkers(t, res, textMarker, xmpMarker, gpsMarker, "XML:com.adobe.xmp")
	allowed := map[string]bool{"IHDR": true, "PLTE": true, "tRNS": true, "IDAT": true, "IEND": true}
	for name, v := range allVariants(res) {
		decodeVariant(t, v)
		for _, c := range pngChunkTypes(t, v.Data) {
			if !allowed[c] {
				t.Errorf("%s has chunk %s", name, c)
			}
		}
	}
}

func TestWebPMetadataRemoved(t *testing.T) {
	res := processFile(t, "testdata/lossy-exif6.webp")
	assertNoMarkers(t, res, "WERKSTATT-WEBP-GPS-MARKER", "WERKSTATT-WEBP-DESC-MARKER", "Exif")
	if segs := jpegSegments(t, res.Original.Data); bytes.IndexByte(segs, 0xE1) >= 0 {
		t.Errorf("output has an APP1 segment: % X", segs)
	}
}

// insertJPEGSegment puts a marker segment right after SOI.
func insertJPEGSegment(jpg []byte, marker byte, payload []byte) []byte {
	seg := binary.BigEndian.AppendUint16([]byte{0xFF, marker}, uint16(len(payload)+2))
	seg = append(seg, payload...)
	out := append([]byte{}, jpg[:2]...)
	out = append(out, seg...)
	return append(out, jpg[2:]...)
}

func pngChunkTypes(t *testing.T, p []byte) []string {
	t.Helper()
	if !strings.HasPrefix(string(p), string(pngSignature)) {
		t.Fatal("not a PNG")
	}
	var types []string
	for i := 8; i+8 <= len(p); {
		n := int(binary.BigEndian.Uint32(p[i:]))
		types = append(types, string(p[i+4:i+8]))
		i += 12 + n
	}
	return types
}
