#!/bin/sh
echo "$${HOME}" 100%% %{ unterminated