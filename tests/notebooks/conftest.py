import sys
from pathlib import Path

# execute.py is shared with scripts/execute-notebooks.
sys.path.insert(0, str(Path(__file__).resolve().parent))
