/*
 * The order in which a build's commands run, with CodeBuild's phase rules
 * (see pipeline.h):
 *
 *   - a phase's commands run in order until one fails; its `finally`
 *     commands then run (until one of them fails); the phase failed if any
 *     command of either list failed;
 *   - after a failed phase, on-failure decides: CONTINUE runs the next
 *     phase; ABORT skips every later phase, except that a failed build
 *     phase still runs post_build (the build is already marked failed, so
 *     post_build sees CODEBUILD_BUILD_SUCCEEDING=0).
 */
#include "pipeline/pipeline.h"

#include <string.h>

const char *pipeline_phase_status_name(pipeline_phase_status s)
{
	switch (s) {
	case PIPELINE_PHASE_NOT_RUN:
		return "NOT_RUN";
	case PIPELINE_PHASE_SUCCEEDED:
		return "SUCCEEDED";
	case PIPELINE_PHASE_FAILED:
		return "FAILED";
	}
	return "?";
}

void pipeline_steps_init(pipeline_steps *s, const pipeline_buildspec *spec)
{
	memset(s, 0, sizeof(*s));
	s->spec = spec;
}

/* Ends the current phase and moves to the next one that should run. */
static void end_phase(pipeline_steps *s)
{
	const pipeline_phase *ph = &s->spec->phases[s->phase];
	if (s->started && s->status[s->phase] != PIPELINE_PHASE_FAILED)
		s->status[s->phase] = PIPELINE_PHASE_SUCCEEDED;
	if (s->status[s->phase] == PIPELINE_PHASE_FAILED &&
	    ph->on_failure == PIPELINE_ON_FAILURE_ABORT) {
		if (s->phase == PIPELINE_PHASE_BUILD)
			s->skip_to_post_build = true;
		else
			s->abort_all = true;
	}
	s->phase++;
	s->in_finally = false;
	s->finally_failed = false;
	s->announced = false;
	s->index = 0;
	s->started = false;
	if (s->abort_all)
		s->phase = PIPELINE_PHASE_COUNT;
	else if (s->skip_to_post_build && s->phase < PIPELINE_PHASE_POST_BUILD)
		s->phase = PIPELINE_PHASE_POST_BUILD;
}

bool pipeline_steps_next(pipeline_steps *s, pipeline_phase_kind *phase, const char **command,
                         bool *is_finally, bool *entering)
{
	while (s->phase < PIPELINE_PHASE_COUNT) {
		const pipeline_phase *ph = &s->spec->phases[s->phase];
		if (!ph->present) {
			end_phase(s);
			continue;
		}
		bool first = !s->started;
		/* A declared phase counts as run even when it has no commands. */
		s->started = true;
		bool failed = s->status[s->phase] == PIPELINE_PHASE_FAILED;
		if (!s->in_finally && (failed || s->index >= ph->ncommands)) {
			s->in_finally = true;
			s->index = 0;
		}
		if (s->in_finally && (s->index >= ph->nfinally || s->finally_failed)) {
			end_phase(s);
			continue;
		}
		*phase = (pipeline_phase_kind)s->phase;
		*is_finally = s->in_finally;
		*command = s->in_finally ? ph->finally_cmds[s->index] : ph->commands[s->index];
		*entering = first || !s->announced;
		s->announced = true;
		return true;
	}
	return false;
}

void pipeline_steps_report(pipeline_steps *s, int exit_code)
{
	if (s->phase >= PIPELINE_PHASE_COUNT)
		return;
	s->index++;
	if (exit_code == 0)
		return;
	if (s->in_finally)
		s->finally_failed = true;
	if (s->status[s->phase] != PIPELINE_PHASE_FAILED) {
		s->status[s->phase] = PIPELINE_PHASE_FAILED;
		s->exit_code[s->phase] = exit_code;
	}
	s->build_failed = true;
}
