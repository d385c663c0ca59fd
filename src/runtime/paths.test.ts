// Folders from the environment are joined onto with plain string concatenation: they must end in "/".

import assert from "node:assert/strict";
import { afterEach, describe, it } from "node:test";
import { PACKAGE_ROOT, sharedDirectory, vendorDirectory } from "./paths.js";

describe("folders from the environment", () => {
  const saved = { shared: process.env.MOODWIRE_SHARED, vendor: process.env.MOODWIRE_VENDOR_DIR };
  afterEach(() => {
    for (const [name, value] of [["MOODWIRE_SHARED", saved.shared], ["MOODWIRE_VENDOR_DIR", saved.vendor]] as const) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  it("end in a slash whether or not the variable does", () => {
    for (const value of ["/data/shared", "/data/shared/"]) {
      process.env.MOODWIRE_SHARED = value;
      process.env.MOODWIRE_VENDOR_DIR = value;
      assert.equal(sharedDirectory(), "/data/shared/");
      assert.equal(vendorDirectory(), "/data/shared/");
    }
  });

  it("fall back to the package's neighbours when unset or empty", () => {
    process.env.MOODWIRE_SHARED = "";
    delete process.env.MOODWIRE_VENDOR_DIR;
    assert.equal(sharedDirectory(), `${PACKAGE_ROOT}../shared/`);
    assert.equal(vendorDirectory(), `${PACKAGE_ROOT}models/vendor/`);
  });
});
