/* Every unit-test suite, one line each: INS_SUITE(name) makes the runner call
 * Suite *ins_suite_name(void), defined in tests/unit/check_name.c. */
INS_SUITE(util)
INS_SUITE(config)
INS_SUITE(protocol)
INS_SUITE(synth)
INS_SUITE(live)
INS_SUITE(import)
INS_SUITE(layout)
INS_SUITE(calib)
INS_SUITE(frame)
INS_SUITE(heatmap)
INS_SUITE(accuracy)
