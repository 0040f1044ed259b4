#!/usr/bin/env bash
# Placeholder until the end-to-end harness lands: installs nothing.
exit 0
