/* Sensor health flags over steps (health.c), kept by the analysis engine
 * per foot.  Module-internal: enum ins_sensor_flags in analysis.h is their
 * public face. */
#ifndef INSOLED_ANALYSIS_HEALTH_H
#define INSOLED_ANALYSIS_HEALTH_H

#include "frame_metrics.h"

/* Sensor health over steps.  SILENT: a dead sensor reads nothing while the
 * foot around it is loaded, so a step counts against a sensor only when it
 * stays at or below contact while every one of its neighbours (the
 * INS_HEALTH_NEIGHBOURS nearest sensors; on a dense grid the cells sharing
 * an edge with it) peaks above INS_HEALTH_NEIGHBOUR_LOAD x contact; after
 * INS_HEALTH_MIN_STEPS such steps, with no step above contact, it is
 * SILENT.  A sensor under a high arch or at the foot's border always has a
 * quiet neighbour and is never flagged.  One at saturation in at least a
 * quarter of the steps is SATURATING; one above contact in at least half of
 * the swing frames (foot in the air) is STUCK (shorted sensor or stale tare). */
#define INS_HEALTH_MIN_STEPS 20   /* ~10 s of walking: enough to see every sensor loaded */
#define INS_HEALTH_MIN_SWING 50   /* swing frames before STUCK is judged (0.5 s at 100 Hz) */
/* Four: the cells around a grid cell, and on a sparse insole (8-16 sensors
 * 20-70 mm apart) enough to reach past a sensor's one side, so a sensor at
 * the lateral border is not judged by its medial neighbours alone. */
#define INS_HEALTH_NEIGHBOURS 4
/* "Clearly loaded": 3 x 10 kPa = 30 kPa, three times the noise-level
 * contact threshold and well under walking midfoot peaks (50-100 kPa),
 * heel and forefoot peaks (200-600 kPa). */
#define INS_HEALTH_NEIGHBOUR_LOAD 3.0f
struct analysis_sensor_health;
struct analysis_sensor_health *analysis_sensor_health_new(const struct analysis_frame_ctx *ctx);
void analysis_sensor_health_free(struct analysis_sensor_health *h);
/* step_peak_kpa: each sensor's peak pressure over one stance. */
void analysis_sensor_health_add_step(struct analysis_sensor_health *h, const float *step_peak_kpa);
/* kpa: one frame while the foot is in swing. */
void analysis_sensor_health_add_swing(struct analysis_sensor_health *h, const float *kpa);
unsigned analysis_sensor_health_flags(const struct analysis_sensor_health *h, unsigned sensor);

#endif
