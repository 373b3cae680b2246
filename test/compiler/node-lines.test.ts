import { describe, expect, it } from "vitest";
import { scanBlockSequence } from "../../compiler/node-lines.js";

describe("scanBlockSequence", () => {
  it("finds item start lines of a top-level block sequence", () => {
    const text = "version: 1\n# c\nnodes:  # the nodes\n  - name: a\n    func: x\n\n  # comment\n  -   name: b\n  - \n    name: c\npipelines: {}\n";
    expect(scanBlockSequence(text, "nodes")).toEqual([4, 8, 9]);
  });
  it("handles items at column 0, CRLF, and stops at the next key", () => {
    expect(scanBlockSequence("nodes:\r\n- name: a\r\n  x: 1\r\n- name: b\r\nother: 1\r\n- not: this\r\n", "nodes")).toEqual([2, 4]);
  });
  it("returns null for flow style or a missing key", () => {
    expect(scanBlockSequence("nodes: [{name: a}]\n", "nodes")).toBeNull();
    expect(scanBlockSequence("stuff: 1\n", "nodes")).toBeNull();
    expect(scanBlockSequence("nodes:\n  name: x\n", "nodes")).toBeNull();
  });
});
