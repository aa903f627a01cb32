"""Background entry points of training (Huey discovers this module); each area's tasks live in
`tasks_<area>.py` and are imported here. Every task is safe to run twice and on several workers."""

# Each area adds one import line below, e.g. `from charter.training.tasks_assignments import *  # noqa: F403`.
from charter.training.tasks_assignments import *  # noqa: F403
from charter.training.tasks_certificates import *  # noqa: F403
from charter.training.tasks_quizzes import *  # noqa: F403
