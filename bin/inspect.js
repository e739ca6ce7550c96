#!/usr/bin/env node
// Thin launcher: the built, bundled CLI lives in dist/ (npm run build).
import "../dist/cli.js";
