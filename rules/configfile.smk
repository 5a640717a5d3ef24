# config/config.yaml is read here before Snakemake's `configfile:` reads it: Snakemake's message
# for a YAML syntax error or an empty file names neither the file nor the line; this one does.
import sys
from pathlib import Path

if str(Path(workflow.basedir)) not in sys.path:
    sys.path.insert(0, str(Path(workflow.basedir)))  # `analysis` from this checkout

from analysis.workflow import preflight  # noqa: E402

preflight.stop(preflight.config_file_errors(Path(workflow.basedir) / "config" / "config.yaml",
                                            "config/config.yaml"))
