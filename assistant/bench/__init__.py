"""`coordo bench`: index build, retrieval, answers, LLM, cold starts and scaling, measured."""
