#!/usr/bin/env node
// validate.mjs — checks a W3C Web Annotation export (Werkstatt's
// GET /api/v1/screens/{id}/annotations with Accept: application/ld+json)
// against the official JSON Schema (draft-04) assertions of the W3C Web
// Annotation Working Group test suite (github.com/w3c/web-annotation-tests),
// vendored unmodified in shared/validators/vendor/web-annotation-tests.
//
//   node validate.mjs page.json          # or: ... | node validate.mjs -
//   node validate.mjs --self-test        # the suite's own correct/incorrect samples
//
// Which assertions run is read from the suite's own lists, not chosen here:
//   every annotation   annotations/annotationMusts.test
//   the page           collections/pages/pageMusts.test
//   a collection       collections/collectionMusts.test
// Each assertion says the result it expects ("expectedResult": "valid"); a
// document passes when every assertion gives that result.
//
// Items of a page usually carry no "@context" of their own: in JSON-LD they
// are inside the page and share its context (the specification's own
// example 42 is written that way). The annotation assertions are written for
// a standalone annotation, so an item without "@context" is checked with the
// page's context, as a JSON-LD processor reads it. --strict-context turns
// that off and demands "@context" on every item.
//
// Schemas are found in $VALIDATORS_VENDOR_DIR (the folder that holds
// web-annotation-tests/), else ../shared/validators/vendor or
// shared/validators/vendor beside/inside the repository root.
//
// Exit status: 0 all MUST assertions hold; 1 one or more fail; 2 usage,
// unreadable input or schemas not found.

import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

import Ajv04 from "ajv-draft-04";
import addFormats from "ajv-formats";

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, "..", "..");
const SUITE = "web-annotation-tests";

function usage(msg) {
  if (msg) console.error(`validate-annotations: ${msg}`);
  console.error("usage: node validate.mjs [--strict-context] [--quiet] FILE|-\n       node validate.mjs --self-test");
  process.exit(2);
}

// vendorDir finds the folder that holds web-annotation-tests/.
function vendorDir() {
  const candidates = [];
  if (process.env.VALIDATORS_VENDOR_DIR) candidates.push(resolve(process.env.VALIDATORS_VENDOR_DIR));
  candidates.push(resolve(repoRoot, "..", "shared", "validators", "vendor"));
  candidates.push(resolve(repoRoot, "shared", "validators", "vendor"));
  for (const dir of candidates) {
    if (existsSync(join(dir, SUITE, "definitions"))) return dir;
  }
  console.error(`validate-annotations: W3C test schemas not found; looked for ${SUITE}/ in:\n  ${candidates.join("\n  ")}\n` +
    "Set VALIDATORS_VENDOR_DIR to the folder that holds web-annotation-tests/.");
  process.exit(2);
}

function readJSON(path) {
  return JSON.parse(readFileSync(path, "utf8"));
}

// loadSuite compiles every MUST list the suite has for the three kinds of
// document. Definitions are registered under their own ids ("bodyTarget.json",
// ...), which is how the assertions refer to them.
function loadSuite(root) {
  const ajv = new Ajv04({ allErrors: true, strict: false, validateFormats: true });
  addFormats(ajv);
  // The suite's own annotations on each assertion, not validation keywords.
  ajv.addVocabulary(["assertionType", "expectedResult", "onUnexpectedResult", "errorMessage"]);
  const defs = join(root, "definitions");
  for (const f of readdirSync(defs).filter((f) => f.endsWith(".json")).sort()) {
    ajv.addSchema(readJSON(join(defs, f)));
  }
  const list = (testFile) => {
    const test = readJSON(join(root, testFile));
    const out = test.assertions.map((rel) => {
      const schema = readJSON(join(root, rel));
      if (schema.assertionType !== "must") {
        throw new Error(`${testFile} lists ${rel}, whose assertionType is ${schema.assertionType}, not must`);
      }
      return {
        file: rel,
        expected: schema.expectedResult || "valid",
        message: schema.errorMessage || schema.title || rel,
        validate: ajv.compile(schema),
      };
    });
    if (out.length === 0) throw new Error(`${testFile} lists no assertions`);
    return { name: testFile, assertions: out };
  };
  return {
    annotation: list("annotations/annotationMusts.test"),
    page: list("collections/pages/pageMusts.test"),
    collection: list("collections/collectionMusts.test"),
  };
}

// check runs one list of assertions on a document and returns the failures.
function check(list, doc, where) {
  const failures = [];
  for (const a of list.assertions) {
    const valid = a.validate(doc);
    if ((valid ? "valid" : "invalid") !== a.expected) {
      failures.push({ where, file: a.file, message: a.message, errors: valid ? [] : a.validate.errors || [] });
    }
  }
  return failures;
}

function typesOf(doc) {
  if (!doc || typeof doc !== "object") return [];
  return [].concat(doc.type ?? doc["@type"] ?? []);
}

// validateDocument checks an AnnotationPage (page and every item), an
// AnnotationCollection (and its embedded first page), or one Annotation.
function validateDocument(suite, doc, { strictContext = false } = {}) {
  const types = typesOf(doc);
  let failures = [];
  let annotations = 0;
  const checkItems = (page, label) => {
    const items = Array.isArray(page.items) ? page.items : [];
    items.forEach((item, i) => {
      const where = `${label}.items[${i}]${item && item.id ? ` (${item.id})` : ""}`;
      if (typeof item === "string") return; // a reference; the page assertions check its form
      annotations++;
      let subject = item;
      if (!strictContext && item && typeof item === "object" && !("@context" in item) && page["@context"] !== undefined) {
        subject = { "@context": page["@context"], ...item };
      }
      failures = failures.concat(check(suite.annotation, subject, where));
    });
  };
  if (types.includes("AnnotationPage")) {
    failures = failures.concat(check(suite.page, doc, "page"));
    checkItems(doc, "page");
  } else if (types.includes("AnnotationCollection")) {
    failures = failures.concat(check(suite.collection, doc, "collection"));
    if (doc.first && typeof doc.first === "object") {
      const first = { "@context": doc["@context"], ...doc.first };
      failures = failures.concat(check(suite.page, first, "collection.first"));
      checkItems(first, "collection.first");
    }
  } else if (types.includes("Annotation")) {
    annotations = 1;
    failures = failures.concat(check(suite.annotation, doc, "annotation"));
  } else {
    failures.push({ where: "document", file: "-", message: `type is ${JSON.stringify(doc?.type)}, want AnnotationPage, AnnotationCollection or Annotation`, errors: [] });
  }
  return { failures, annotations };
}

function describe(f) {
  const lines = [`FAIL ${f.where}: ${f.file}`, `     ${f.message}`];
  const seen = new Set();
  for (const e of f.errors) {
    // oneOf/anyOf branches repeat themselves; show each distinct complaint once.
    const line = `${e.instancePath || "(root)"} ${e.message}${e.params && e.params.allowedValues ? ` ${JSON.stringify(e.params.allowedValues)}` : ""}`;
    if (seen.has(line)) continue;
    seen.add(line);
    if (seen.size > 6) {
      lines.push("       …");
      break;
    }
    lines.push(`       ${line}`);
  }
  return lines.join("\n");
}

// Samples of the suite that its own schemas judge differently from the
// folder they sit in, and exactly which assertions they fail. Both are
// faults of the 2016 samples, not of this validator:
//   anno11-13: targets of type Composite, List and Independents, dropped from
//     the model before it became a Recommendation (2017), so no schema
//     recognises them;
//   example42/43: "partOf" is a URI string, while the page assertions about
//     the collection's total, label, first, last, created, modified and
//     rights say "type": "object" for partOf (they were written for an
//     embedded collection) and so refuse a string.
const TARGET_TYPES = ["annotations/3.2-targetObjectsRecognized.json"];
const PART_OF_STRING = ["5.2-pageTotalValidated", "5.2-pageLabelValidated", "5.2-pageFirstValidated",
  "5.2-pageLastValidated", "3.3.1-pageCreatedValidated", "3.3.1-pageModifiedValidated",
  "3.3.6-pageRightsValidated"].map((n) => `collections/pages/${n}.json`);
const KNOWN = {
  "correct/anno11.json": TARGET_TYPES,
  "correct/anno12.json": TARGET_TYPES,
  "correct/anno13.json": TARGET_TYPES,
  "correct/collection1.json": [...TARGET_TYPES, ...TARGET_TYPES, ...TARGET_TYPES], // holds anno11-13
  "correct/example42.json": PART_OF_STRING,
  "correct/example43.json": PART_OF_STRING,
};

// selfTest runs the suite's sample documents: every "correct" sample must
// pass and every "incorrect" one fail (both save the KNOWN faults above, which
// must fail exactly as listed), or this validator is not checking.
function selfTest(suite, root) {
  let bad = 0;
  let n = 0;
  for (const kind of ["correct", "incorrect"]) {
    const dir = join(root, "tools", "samples", kind);
    for (const f of readdirSync(dir).filter((f) => f.endsWith(".json")).sort()) {
      const name = `${kind}/${f}`;
      n++;
      let failed;
      try {
        failed = validateDocument(suite, readJSON(join(dir, f))).failures.map((x) => x.file);
      } catch {
        failed = ["(not JSON)"];
      }
      let ok;
      if (KNOWN[name]) {
        ok = JSON.stringify([...failed].sort()) === JSON.stringify([...KNOWN[name]].sort());
      } else {
        ok = (failed.length === 0) === (kind === "correct");
      }
      if (!ok) {
        bad++;
        console.error(`self-test: ${name} failed [${failed.join(", ")}], want ${KNOWN[name] ? `[${KNOWN[name].join(", ")}]` : kind === "correct" ? "none" : "some"}`);
      }
    }
  }
  if (bad > 0) {
    console.error(`self-test: ${bad} of ${n} samples judged wrongly`);
    return 1;
  }
  console.log(`self-test: ok, ${n} samples: correct ones pass, incorrect ones fail (${Object.keys(KNOWN).length} known faults of the samples fail exactly as listed)`);
  return 0;
}

function main(argv) {
  let input;
  let strictContext = false;
  let quiet = false;
  let self = false;
  for (const a of argv) {
    if (a === "--strict-context") strictContext = true;
    else if (a === "--quiet") quiet = true;
    else if (a === "--self-test") self = true;
    else if (a === "-h" || a === "--help") usage();
    else if (a.startsWith("--")) usage(`unknown option ${a}`);
    else if (input === undefined) input = a;
    else usage("more than one input");
  }
  const root = join(vendorDir(), SUITE);
  let suite;
  try {
    suite = loadSuite(root);
  } catch (err) {
    console.error(`validate-annotations: cannot load the W3C schemas from ${root}: ${err.message}`);
    return 2;
  }
  if (self) return selfTest(suite, root);
  if (input === undefined) usage("no input");

  let doc;
  try {
    doc = JSON.parse(readFileSync(input === "-" ? 0 : input, "utf8"));
  } catch (err) {
    console.error(`validate-annotations: cannot read ${input === "-" ? "stdin" : input} as JSON: ${err.message}`);
    return 2;
  }
  const { failures, annotations } = validateDocument(suite, doc, { strictContext });
  const counts = `${suite.annotation.assertions.length} annotation and ${suite.page.assertions.length} page MUST assertions`;
  if (failures.length > 0) {
    for (const f of failures) console.error(describe(f));
    console.error(`validate-annotations: ${failures.length} MUST assertion(s) failed (${annotations} annotation(s); ${counts})`);
    return 1;
  }
  if (!quiet) console.log(`validate-annotations: ok, ${annotations} annotation(s) pass all ${counts} (${root})`);
  return 0;
}

process.exitCode = main(process.argv.slice(2));
