"""Numeric helpers shared by the three Week 1 assignments.

Array layout, used everywhere in this package and in the notebooks:

- ``X`` has shape ``(n_features, m)``: one column per example.
- ``Y`` (labels) has shape ``(1, m)`` with values 0 or 1.
- ``parameters`` is a dict with ``"W<l>"`` of shape ``(n_l, n_{l-1})`` and
  ``"b<l>"`` of shape ``(n_l, 1)`` for ``l = 1 .. L``.
- ``layers_dims`` is the list ``[n_0, n_1, ..., n_L]`` (``n_0`` = input features).

Modules do one job each: ``activations``, ``network`` (the 3-layer forward and
backward passes), ``costs``, ``params`` (initialisation and updates),
``predict``, ``datasets``, ``plotting``, ``gradcheck`` (vector helpers),
``fixtures`` (the published test cases) and ``checks`` / ``public_tests`` (the
student-facing visible tests). The course's module names (``init_utils``,
``reg_utils``, ``gc_utils``, ``testCases``, ``public_tests``) live next to each
notebook as thin faces over this package.

Nothing here calls ``plt.show()``, and nothing prints except the pass/fail
lines of the visible tests (``checks``): functions return values, figures and
axes; notebooks do the printing.
"""
