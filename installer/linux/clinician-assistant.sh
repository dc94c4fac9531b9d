#!/bin/sh
# /usr/bin/clinician-assistant: the packaged app in /opt (no Python needed on this machine).
exec /opt/clinician-assistant/clinician-assistant "$@"
