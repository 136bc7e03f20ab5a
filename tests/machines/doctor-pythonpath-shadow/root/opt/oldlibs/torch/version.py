__version__ = '2.1.0+cu118'
debug = False
cuda = '11.8'
git_version = 'abc123'
hip = None
