package handlers

import (
	"fmt"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"werkstatt/models"
)

// The W3C Web Annotation Data Model (https://www.w3.org/TR/annotation-model/)
// as our annotations are exported: a comment (TextualBody, Markdown) whose
// target is the screen's image with a media-fragment selector in percent.

const annoContext = "http://www.w3.org/ns/anno.jsonld"

type waPage struct {
	Context    string         `json:"@context"`
	ID         string         `json:"id"`
	Type       string         `json:"type"`
	StartIndex int            `json:"startIndex"`
	PartOf     waCollectionID `json:"partOf"`
	Items      []waAnnotation `json:"items"`
}

type waCollectionID struct {
	ID    string `json:"id"`
	Type  string `json:"type"`
	Label string `json:"label"`
	Total int    `json:"total"`
}

type waAnnotation struct {
	ID         string   `json:"id"`
	Type       string   `json:"type"`
	Motivation string   `json:"motivation"`
	Created    string   `json:"created"`
	Creator    waAgent  `json:"creator"`
	Body       []waBody `json:"body"`
	Target     waTarget `json:"target"`
}

type waAgent struct {
	Type     string `json:"type"`
	Nickname string `json:"nickname"`
}

type waBody struct {
	Type     string `json:"type"`
	Value    string `json:"value"`
	Format   string `json:"format"`
	Purpose  string `json:"purpose,omitempty"`
	Language string `json:"language,omitempty"`
}

type waTarget struct {
	Source   string     `json:"source"`
	Type     string     `json:"type"`
	Format   string     `json:"format"`
	Selector waSelector `json:"selector"`
}

type waSelector struct {
	Type       string `json:"type"`
	ConformsTo string `json:"conformsTo"`
	Value      string `json:"value"`
}

// percent formats a coordinate without needless digits: 12.5, 40.
func percent(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// fragment is the media fragment of an annotation: an area, or a point as
// an area of no size.
func fragment(a *models.Annotation) string {
	return fmt.Sprintf("xywh=percent:%s,%s,%s,%s", percent(a.X), percent(a.Y), percent(a.W), percent(a.H))
}

func (d *Deps) annotationPage(c *fiber.Ctx, s *models.Screen, anns []models.Annotation) error {
	b := d.base(c)
	page := waPage{Context: annoContext, ID: b + "/api/v1/screens/" + itoa(s.ID) + "/annotations",
		Type: "AnnotationPage", Items: make([]waAnnotation, len(anns)),
		PartOf: waCollectionID{ID: b + screenPath(s.ID) + "#annotations", Type: "AnnotationCollection",
			Label: s.Title, Total: len(anns)}}
	for i := range anns {
		a := &anns[i]
		body := []waBody{{Type: "TextualBody", Value: a.Body, Format: "text/markdown", Purpose: "commenting"}}
		for _, r := range a.Replies {
			body = append(body, waBody{Type: "TextualBody", Value: r.Body, Format: "text/markdown", Purpose: "replying"})
		}
		page.Items[i] = waAnnotation{ID: b + "/api/v1/annotations/" + itoa(a.ID), Type: "Annotation",
			Motivation: "commenting", Created: a.CreatedAt.UTC().Format(time.RFC3339),
			Creator: waAgent{Type: "Person", Nickname: a.Author.Name},
			Body:    body,
			Target: waTarget{Source: b + screenPath(s.ID) + "/image/original", Type: "Image", Format: s.ContentType,
				Selector: waSelector{Type: "FragmentSelector", ConformsTo: "http://www.w3.org/TR/media-frags/", Value: fragment(a)}}}
	}
	c.Set(fiber.HeaderContentType, `application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"`)
	return c.Status(fiber.StatusOK).JSON(page, `application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"`)
}
